using System;
using System.IO;
using System.Text;
using OpsTools.Engine.Images;

namespace OpsTools.Engine.Tests.Images;

public sealed class RegistryCredentialTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opsimg-config-" + Guid.NewGuid().ToString("N")[..8]);

    public RegistryCredentialTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_auths_entry_of_a_registry_is_found_under_any_of_the_keys_docker_login_writes()
    {
        string auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:pa:ss"));
        File.WriteAllText(Path.Combine(_directory, "config.json"),
            $"{{\"auths\":{{\"https://index.docker.io/v1/\":{{\"auth\":\"{auth}\"}},\"http://127.0.0.1:5001\":{{\"auth\":\"{auth}\"}},\"registry.internal\":{{\"username\":\"u\",\"password\":\"p\"}}}}}}");

        RegistryCredential? hub = RegistryCredential.FromDockerConfig("docker.io", _directory);
        RegistryCredential? local = RegistryCredential.FromDockerConfig("127.0.0.1:5001", _directory);
        RegistryCredential? plain = RegistryCredential.FromDockerConfig("registry.internal", _directory);

        Assert.Equal(("ops", "pa:ss", RegistryCredential.DockerHubConfigKey), (hub!.UserName, hub.Password, hub.ServerAddress));
        Assert.Equal(("ops", "127.0.0.1:5001"), (local!.UserName, local.ServerAddress));
        Assert.Equal(("u", "p"), (plain!.UserName, plain.Password));
        Assert.Null(RegistryCredential.FromDockerConfig("127.0.0.1:5000", _directory));
        Assert.DoesNotContain("pa:ss", local.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void No_file_means_no_credential_and_a_broken_file_is_an_error_naming_it()
    {
        Assert.Null(RegistryCredential.FromDockerConfig("127.0.0.1:5001", _directory));
        File.WriteAllText(Path.Combine(_directory, "config.json"), "{\"auths\":{\"127.0.0.1:5001\":{\"auth\":\"%%%\"}}}");

        OpsToolsException problem = Assert.Throws<OpsToolsException>(() => RegistryCredential.FromDockerConfig("127.0.0.1:5001", _directory));

        Assert.Equal(("DockerConfigInvalid", OpsToolsErrorKind.InvalidData), (problem.ErrorId, problem.Kind));
        Assert.Contains("config.json", problem.Message, StringComparison.Ordinal);
    }
}
