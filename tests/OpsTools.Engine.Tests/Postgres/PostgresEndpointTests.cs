using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using OpsTools.Engine.Postgres;

namespace OpsTools.Engine.Tests.Postgres;

/// <summary>How server texts, PG* variables, credentials and the password file resolve (no lab needed; Unix file modes).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PostgresEndpointTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("opstools-pgtest-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private PostgresEndpoint Resolve(string? server, Dictionary<string, string>? environment = null, NetworkCredential? credential = null, bool platform = false) =>
        PostgresEndpoint.Resolve(new PostgresConnectionRequest
        {
            Server = server,
            Credential = credential,
            Environment = environment ?? new Dictionary<string, string>(),
            HomeDirectory = _home,
            IsPlatform = platform,
            DefaultDatabase = platform ? "instance" : "postgres",
        });

    [Theory]
    [InlineData("db1", "db1", 5432)]
    [InlineData("db1:5433", "db1", 5433)]
    [InlineData("[::1]:5434", "::1", 5434)]
    [InlineData("::1", "::1", 5432)]
    [InlineData("/var/run/postgresql", "/var/run/postgresql", 5432)]
    [InlineData("/var/run/postgresql:5435", "/var/run/postgresql", 5435)]
    [InlineData("host=db2 port=6543", "db2", 6543)]
    [InlineData("postgresql://db3:7654/app", "db3", 7654)]
    [InlineData("Host=db4;Port=8765", "db4", 8765)]
    public void Server_text_gives_host_and_port_in_every_form_operators_write(string server, string host, int port)
    {
        PostgresEndpoint endpoint = Resolve(server);

        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
    }

    [Fact]
    public void Libpq_keyword_string_takes_quoted_values_and_ssl_settings()
    {
        PostgresEndpoint endpoint = Resolve(@"host=db1 dbname='my db' user=ops password='it\'s secret' sslmode=verify-full sslrootcert=/etc/ca.crt connect_timeout=7 application_name=runbook");

        Assert.Equal("my db", endpoint.Database);
        Assert.Equal("ops", endpoint.User);
        Assert.Equal(PostgresPasswordSource.ConnectionString, endpoint.PasswordSource);
        Assert.Equal("verify-full", endpoint.SslMode);
        Assert.Equal("/etc/ca.crt", endpoint.RootCertificate);
        Assert.Equal(TimeSpan.FromSeconds(7), endpoint.Timeout);
        Assert.Equal("runbook", endpoint.ApplicationName);
    }

    [Fact]
    public void Uri_gives_user_password_database_and_query_settings()
    {
        PostgresEndpoint endpoint = Resolve("postgresql://ops:p%40ss@db1:5433/instance?sslmode=require&application_name=x");

        Assert.Equal("ops", endpoint.User);
        Assert.Equal("instance", endpoint.Database);
        Assert.Equal("require", endpoint.SslMode);
        Assert.Equal(PostgresPasswordSource.ConnectionString, endpoint.PasswordSource);
        Assert.Contains("Password=p@ss", endpoint.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public void Npgsql_keywords_without_a_libpq_equivalent_pass_through()
    {
        PostgresEndpoint endpoint = Resolve("Host=db1;Include Error Detail=true;SSL Mode=Disable");

        Assert.Equal("disable", endpoint.SslMode);
        Assert.Contains("Include Error Detail=True", endpoint.ConnectionString, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("db1:notaport")]
    [InlineData("db1:70000")]
    [InlineData("host=db1 port")]
    [InlineData("host=db1 sslmode=sometimes")]
    [InlineData("Host=db1;Frobnicate=yes")]
    [InlineData("host='db1")]
    public void Unreadable_server_text_is_PostgresServerInvalid(string server)
    {
        var error = Assert.Throws<OpsToolsException>(() => Resolve(server));

        Assert.Equal("PostgresServerInvalid", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void Environment_fills_what_the_server_text_does_not_give()
    {
        var environment = new Dictionary<string, string>
        {
            ["PGHOST"] = "envhost", ["PGPORT"] = "6000", ["PGDATABASE"] = "envdb", ["PGUSER"] = "envuser",
            ["PGPASSWORD"] = "envpass", ["PGSSLMODE"] = "require", ["PGCONNECT_TIMEOUT"] = "9", ["PGAPPNAME"] = "envapp",
        };

        PostgresEndpoint fromEnvironment = Resolve(null, environment);
        PostgresEndpoint explicitText = Resolve("host=texthost port=6001 dbname=textdb user=textuser sslmode=disable", environment);

        Assert.Equal(("envhost", 6000, "envdb", "envuser"), (fromEnvironment.Host, fromEnvironment.Port, fromEnvironment.Database, fromEnvironment.User));
        Assert.Equal(PostgresPasswordSource.Environment, fromEnvironment.PasswordSource);
        Assert.Equal(("require", 9.0, "envapp"), (fromEnvironment.SslMode, fromEnvironment.Timeout.TotalSeconds, fromEnvironment.ApplicationName));
        Assert.Equal(("texthost", 6001, "textdb", "textuser", "disable"), (explicitText.Host, explicitText.Port, explicitText.Database, explicitText.User, explicitText.SslMode));
    }

    [Fact]
    public void Platform_ignores_PGHOST_PGPORT_and_PGDATABASE_and_defaults_to_database_instance()
    {
        var environment = new Dictionary<string, string> { ["PGHOST"] = "usual", ["PGPORT"] = "6000", ["PGDATABASE"] = "usualdb", ["PGUSER"] = "ops" };

        PostgresEndpoint endpoint = Resolve("platform-db", environment, platform: true);

        Assert.Equal(("platform-db", 5432, "instance", "ops"), (endpoint.Host, endpoint.Port, endpoint.Database, endpoint.User));
    }

    [Fact]
    public void Credential_wins_over_server_text_and_environment()
    {
        var environment = new Dictionary<string, string> { ["PGUSER"] = "envuser", ["PGPASSWORD"] = "envpass" };

        PostgresEndpoint endpoint = Resolve("host=db1 user=textuser password=textpass", environment, new NetworkCredential("creduser", "credpass"));

        Assert.Equal("creduser", endpoint.User);
        Assert.Equal(PostgresPasswordSource.Credential, endpoint.PasswordSource);
        Assert.Contains("Password=credpass", endpoint.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public void Password_file_is_read_like_libpq_first_matching_line_with_wildcards_and_escapes()
    {
        string passFile = WritePassFile(
            "# comment",
            "other:5432:*:ops:wrong",
            @"db1:5433:*:ops:right\:one",
            "*:*:*:ops:fallback");

        PostgresEndpoint exact = Resolve("db1:5433", new Dictionary<string, string> { ["PGUSER"] = "ops", ["PGPASSFILE"] = passFile });
        PostgresEndpoint wildcard = Resolve("db9", new Dictionary<string, string> { ["PGUSER"] = "ops", ["PGPASSFILE"] = passFile });

        Assert.Equal(PostgresPasswordSource.PasswordFile, exact.PasswordSource);
        Assert.Contains("Password=right:one", exact.ConnectionString, StringComparison.Ordinal);
        Assert.Contains("Password=fallback", wildcard.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_password_file_is_pgpass_in_the_home_directory_and_matches_localhost_for_sockets()
    {
        string passFile = Path.Combine(_home, ".pgpass");
        File.WriteAllText(passFile, "localhost:5432:*:ops:socketpass\n");
        File.SetUnixFileMode(passFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        PostgresEndpoint endpoint = Resolve("/var/run/postgresql", new Dictionary<string, string> { ["PGUSER"] = "ops" });

        Assert.Equal(PostgresPasswordSource.PasswordFile, endpoint.PasswordSource);
    }

    [Fact]
    public void Password_file_readable_by_others_is_ignored_with_a_warning()
    {
        string passFile = WritePassFile("*:*:*:*:secret");
        File.SetUnixFileMode(passFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        PostgresEndpoint endpoint = Resolve("db1", new Dictionary<string, string> { ["PGPASSFILE"] = passFile });

        Assert.Equal(PostgresPasswordSource.None, endpoint.PasswordSource);
        Assert.Contains(endpoint.Warnings, w => w.Contains("chmod 0600", StringComparison.Ordinal));
    }

    [Fact]
    public void Errors_about_a_broken_server_text_do_not_repeat_it()
    {
        var error = Assert.Throws<OpsToolsException>(() => Resolve("host=db1 password=Top Secret123"));

        Assert.DoesNotContain("Secret123", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Descriptions_name_where_the_password_came_from_but_never_the_password()
    {
        PostgresEndpoint endpoint = Resolve("postgresql://ops:TopSecret123@db1/instance");

        Assert.DoesNotContain("TopSecret123", endpoint.Describe(), StringComparison.Ordinal);
        Assert.DoesNotContain("TopSecret123", endpoint.ToString(), StringComparison.Ordinal);
        Assert.Contains("connection string", endpoint.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Connections_are_not_pooled_so_nothing_lingers_between_commands()
    {
        Assert.Contains("Pooling=False", Resolve("db1").ConnectionString, StringComparison.OrdinalIgnoreCase);
    }

    private string WritePassFile(params string[] lines)
    {
        string path = Path.Combine(_home, "pgpass-" + Guid.NewGuid().ToString("N")[..6]);
        File.WriteAllLines(path, lines);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
