using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Threading.Tasks;
using Npgsql;
using OpsTools.Engine.Postgres;
using OpsTools.Engine.Tests.Lab;

namespace OpsTools.Engine.Tests.Odoo;

/// <summary>
/// An Odoo-shaped database of this run on the lab's fourth pool server (the one no other test suite
/// uses), with its filestore in a temporary directory, made by tests/lab/odoo/odoo-instance.sh and
/// dropped afterwards. Fixtures use psql and Npgsql directly, never the engine under test.
/// </summary>
public sealed class OdooFixture : IAsyncLifetime
{
    public string Host { get; private set; } = string.Empty;

    public int Port { get; private set; }

    public string User { get; private set; } = string.Empty;

    public string Password { get; private set; } = string.Empty;

    public string Database { get; } = "opsodoo_" + Guid.NewGuid().ToString("N")[..8];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "opsodoo-" + Guid.NewGuid().ToString("N")[..8]);

    public string FilestorePath => Path.Combine(Root, "data", "filestore", Database);

    public Exception? LabProblem { get; private set; }

    private readonly System.Collections.Generic.List<string> _databases = new();

    public async Task InitializeAsync()
    {
        string? host = LabEnvironment.Get("OPSTOOLS_TEST_PG_HOST");
        string? pools = LabEnvironment.Get("OPSTOOLS_TEST_PG_POOL_PORTS");
        if (host is null || pools is null)
        {
            LabProblem = new InvalidOperationException("OPSTOOLS_TEST_PG_HOST / _POOL_PORTS are unset");
            return;
        }

        Host = host;
        Port = int.Parse(pools.Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture);
        User = LabEnvironment.Get("OPSTOOLS_TEST_PG_USER") ?? "postgres";
        Password = LabEnvironment.Get("OPSTOOLS_TEST_PG_PASSWORD") ?? string.Empty;
        Directory.CreateDirectory(Root);
        try
        {
            await CreateOdooDatabaseAsync(Database, FilestorePath);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            LabProblem = ex;
        }
    }

    public async Task DisposeAsync()
    {
        if (Host.Length > 0 && LabProblem is null)
        {
            foreach (string database in _databases)
            {
                await ScriptAsync("drop", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--database", database);
            }
        }

        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    public void RequireLab()
    {
        if (LabProblem is null)
        {
            return;
        }

        if (Host.Length == 0)
        {
            LabEnvironment.Require("OPSTOOLS_TEST_PG_POOL_PORTS", "PostgreSQL servers");
        }

        LabEnvironment.Unreachable("PostgreSQL servers (odoo-instance.sh)", LabProblem);
    }

    /// <summary>Creates another Odoo-shaped database (dropped with the fixture).</summary>
    public async Task CreateOdooDatabaseAsync(string database, string filestore)
    {
        _databases.Add(database);
        await ScriptAsync("create", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--database", database, "--filestore", filestore);
    }

    /// <summary>A database name dropped with the fixture.</summary>
    public string NewDatabaseName()
    {
        string name = "opsodoo_" + Guid.NewGuid().ToString("N")[..8];
        _databases.Add(name);
        return name;
    }

    public PostgresEndpoint Endpoint(string? database = null) => PostgresEndpoint.Resolve(new PostgresConnectionRequest
    {
        Server = $"{Host}:{Port}",
        Credential = new NetworkCredential(User, Password),
        DefaultDatabase = database ?? Database,
    });

    public async Task<T> ScalarAsync<T>(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = Host, Port = Port, Database = database, Username = User, Password = Password, Pooling = false, Timeout = 10,
        }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = Host, Port = Port, Database = database, Username = User, Password = Password, Pooling = false, Timeout = 10,
        }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public string NewDirectory(string name)
    {
        string path = Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(path);
        return path;
    }

    private Task ScriptAsync(params string[] arguments) => RunScriptAsync(Host, User, Password, arguments);

    /// <summary>Runs tests/lab/odoo/odoo-instance.sh against a server, the password in its environment only.</summary>
    public static async Task RunScriptAsync(string host, string user, string password, params string[] arguments)
    {
        string script = ScriptPath();
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["OPSTOOLS_TEST_PG_HOST"] = host;
        info.Environment["OPSTOOLS_TEST_PG_USER"] = user;
        info.Environment["OPSTOOLS_TEST_PG_PASSWORD"] = password;
        using Process process = Process.Start(info) ?? throw new InvalidOperationException("bash did not start");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"odoo-instance.sh {string.Join(' ', arguments)} failed: {await stderr}");
        }
    }

    private static string ScriptPath()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "lab", "odoo", "odoo-instance.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("tests/lab/odoo/odoo-instance.sh not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class OdooCollection : ICollectionFixture<OdooFixture>
{
    public const string Name = "Odoo lab";
}
