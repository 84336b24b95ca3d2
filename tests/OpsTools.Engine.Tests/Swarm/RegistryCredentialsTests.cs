using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using Docker.DotNet.Models;
using OpsTools.Engine.Swarm;

namespace OpsTools.Engine.Tests.Swarm;

/// <summary>Reading the docker CLI's config file for -WithRegistryAuth (config text given, no file needed).</summary>
public sealed class RegistryCredentialsTests
{
    private static string Auth(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password));

    [Fact]
    public void The_auths_entry_of_docker_login_gives_user_password_and_registry()
    {
        var warnings = new List<string>();
        string config = "{\"auths\":{\"registry.example:5000\":{\"auth\":\"" + Auth("deploy", "pa:ss") + "\"}}}";

        AuthConfig auth = RegistryCredentials.Read(() => config, warnings)!;

        Assert.Equal("deploy", auth.Username);
        Assert.Equal("pa:ss", auth.Password);
        Assert.Equal("registry.example:5000", auth.ServerAddress);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Credential_helpers_and_a_missing_file_are_warned_about_without_credentials()
    {
        var warnings = new List<string>();

        Assert.Null(RegistryCredentials.Read(() => "{\"credsStore\":\"desktop\"}", warnings));
        Assert.Null(RegistryCredentials.Read(() => null, warnings));
        Assert.Null(RegistryCredentials.Read(() => "{not json", warnings));

        Assert.Equal(3, warnings.Count);
        Assert.Contains("credential helpers", warnings[0], StringComparison.Ordinal);
        Assert.Contains("docker login", warnings[1], StringComparison.Ordinal);
        Assert.Contains("cannot be read", warnings[2], StringComparison.Ordinal);
    }

    [Fact]
    public void The_registry_auth_header_is_url_safe_base64_json_the_daemon_decodes()
    {
        var auth = new AuthConfig { Username = "deploy", Password = "s3cret/+?", ServerAddress = "registry.example" };

        string header = RegistryCredentials.Encode(auth);

        Assert.DoesNotContain('+', header);
        Assert.DoesNotContain('/', header);
        string json = Encoding.UTF8.GetString(Convert.FromBase64String(header.Replace('-', '+').Replace('_', '/')));
        using JsonDocument document = JsonDocument.Parse(json);
        Assert.Equal("deploy", document.RootElement.GetProperty("username").GetString());
        Assert.Equal("s3cret/+?", document.RootElement.GetProperty("password").GetString());
    }
}
