using System;
using System.IO;
using System.Text;
using System.Text.Json;
using Docker.DotNet.Models;
using OpsTools.Engine.Images;

namespace OpsTools.Engine.Tests.Images;

/// <summary>Reading the docker CLI's config file (Publish-DockerImage, Update-SwarmServiceImage, Deploy-SwarmStack -WithRegistryAuth).</summary>
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

    [Fact]
    public void Credential_helpers_are_reported_and_the_auths_entries_are_still_read()
    {
        string auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("deploy:pa:ss"));
        File.WriteAllText(Path.Combine(_directory, "config.json"), $"{{\"credsStore\":\"desktop\",\"auths\":{{\"registry.example:5000\":{{\"auth\":\"{auth}\"}}}}}}");

        RegistryCredential? credential = RegistryCredential.FromDockerConfig("registry.example:5000", _directory, out bool usesCredentialHelpers);

        Assert.True(usesCredentialHelpers);
        Assert.Equal(("deploy", "pa:ss", "registry.example:5000"), (credential!.UserName, credential.Password, credential.ServerAddress));
    }

    [Fact]
    public void A_file_without_credential_helpers_says_so()
    {
        File.WriteAllText(Path.Combine(_directory, "config.json"), "{\"auths\":{}}");

        Assert.Null(RegistryCredential.FromDockerConfig("registry.example", _directory, out bool usesCredentialHelpers));
        Assert.False(usesCredentialHelpers);
    }

    [Fact]
    public void The_auth_config_for_the_daemon_names_docker_hub_by_its_legacy_key()
    {
        AuthConfig auth = new RegistryCredential("docker.io", "deploy", "s3cret", "-Credential").ToAuthConfig();

        Assert.Equal(("deploy", "s3cret", RegistryCredential.DockerHubConfigKey), (auth.Username, auth.Password, auth.ServerAddress));
    }

    [Fact]
    public void The_registry_auth_header_is_url_safe_base64_json_the_daemon_decodes()
    {
        var credential = new RegistryCredential("registry.example", "deploy", "s3cret/+?>>", "-Credential");

        string header = credential.ToRegistryAuthHeader();

        Assert.DoesNotContain('+', header);
        Assert.DoesNotContain('/', header);
        string json = Encoding.UTF8.GetString(Convert.FromBase64String(header.Replace('-', '+').Replace('_', '/')));
        using JsonDocument document = JsonDocument.Parse(json);
        Assert.Equal("deploy", document.RootElement.GetProperty("username").GetString());
        Assert.Equal("s3cret/+?>>", document.RootElement.GetProperty("password").GetString());
        Assert.Equal("registry.example", document.RootElement.GetProperty("serveraddress").GetString());
    }
}
