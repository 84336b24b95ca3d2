using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using Npgsql;
using OpsTools.Engine.Postgres;
using OpsTools.Engine.Tests.Lab;

namespace OpsTools.Engine.Tests.Postgres;

/// <summary>
/// The lab's PostgreSQL servers for the Postgres tests: a platform database of this run (the
/// platform's schema loaded from tests/lab/sql/platform-schema.sql), dropped afterwards, and helpers
/// to register pools, stop and start the pool server reserved for these tests, and make a loopback
/// port swallow packets. Fixtures use Npgsql directly, never the engine under test.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public string Host { get; private set; } = string.Empty;

    public int PlatformPort { get; private set; }

    public string User { get; private set; } = string.Empty;

    public string Password { get; private set; } = string.Empty;

    public int[] PoolPorts { get; private set; } = Array.Empty<int>();

    /// <summary>A pool server that stays up.</summary>
    public int StablePoolPort => PoolPorts[0];

    /// <summary>A pool server on which tests create databases.</summary>
    public int DatabasesPoolPort => PoolPorts[1];

    /// <summary>The pool server these tests stop and start (the Pester tests never touch it).</summary>
    public int StoppablePoolPort => PoolPorts[2];

    public string PlatformDatabase { get; } = "opstools_test_" + Guid.NewGuid().ToString("N")[..8];

    public Exception? LabProblem { get; private set; }

    private string _bin = string.Empty;
    private string _dataRoot = string.Empty;
    private string _logDirectory = string.Empty;
    private string _osUser = string.Empty;

    public async Task InitializeAsync()
    {
        string? host = LabEnvironment.Get("OPSTOOLS_TEST_PG_HOST");
        string? port = LabEnvironment.Get("OPSTOOLS_TEST_PG_PORT");
        string? pools = LabEnvironment.Get("OPSTOOLS_TEST_PG_POOL_PORTS");
        if (host is null || port is null || pools is null)
        {
            LabProblem = new InvalidOperationException("OPSTOOLS_TEST_PG_HOST / _PORT / _POOL_PORTS are unset");
            return;
        }

        Host = host;
        PlatformPort = int.Parse(port, System.Globalization.CultureInfo.InvariantCulture);
        User = LabEnvironment.Get("OPSTOOLS_TEST_PG_USER") ?? "postgres";
        Password = LabEnvironment.Get("OPSTOOLS_TEST_PG_PASSWORD") ?? string.Empty;
        PoolPorts = pools.Split(',').Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        _bin = LabEnvironment.Get("OPSTOOLS_TEST_PG_BIN") ?? "/usr/lib/postgresql/15/bin";
        _dataRoot = LabEnvironment.Get("OPSTOOLS_TEST_PG_DATA_ROOT") ?? string.Empty;
        _logDirectory = LabEnvironment.Get("OPSTOOLS_TEST_PG_LOG_DIR") ?? "/tmp";
        _osUser = LabEnvironment.Get("OPSTOOLS_TEST_PG_OS_USER") ?? "opstools";
        try
        {
            // A server left stopped by an interrupted run is brought back first.
            await StartServerAsync(StoppablePoolPort);
            await using NpgsqlConnection admin = await OpenAsync(PlatformPort, "postgres");
            await using (var create = new NpgsqlCommand($"CREATE DATABASE {PlatformDatabase}", admin))
            {
                await create.ExecuteNonQueryAsync();
            }

            await using NpgsqlConnection platform = await OpenPlatformAsync();
            await using var schema = new NpgsqlCommand(await File.ReadAllTextAsync(SchemaPath()), platform);
            await schema.ExecuteNonQueryAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or InvalidOperationException or IOException)
        {
            LabProblem = ex;
        }
    }

    public async Task DisposeAsync()
    {
        if (LabProblem is not null || Host.Length == 0)
        {
            return;
        }

        await StartServerAsync(StoppablePoolPort);
        await using NpgsqlConnection admin = await OpenAsync(PlatformPort, "postgres");
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {PlatformDatabase} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>Skips (outside CI) or fails (CI) the calling test when the lab is missing.</summary>
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

        LabEnvironment.Unreachable("PostgreSQL servers", LabProblem);
    }

    public PostgresEndpoint PlatformEndpoint() => PostgresEndpoint.Resolve(new PostgresConnectionRequest
    {
        Server = $"host={Host} port={PlatformPort} dbname={PlatformDatabase}",
        Credential = new NetworkCredential(User, Password),
        IsPlatform = true,
        DefaultDatabase = "instance",
    });

    public PostgresConnectionRequest ServerRequest(int port, string? password = null, TimeSpan? timeout = null) => new()
    {
        Server = $"{Host}:{port}",
        Credential = new NetworkCredential(User, password ?? Password),
        Timeout = timeout,
    };

    public Task<NpgsqlConnection> OpenPlatformAsync() => OpenAsync(PlatformPort, PlatformDatabase);

    public async Task<NpgsqlConnection> OpenAsync(int port, string database)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = Host, Port = port, Database = database, Username = User, Password = Password, Pooling = false, Timeout = 5,
        }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task ExecuteAsync(int port, string database, string sql)
    {
        await using NpgsqlConnection connection = await OpenAsync(port, database);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Registers a pool in db_servers (defaults: shared, active, unknown health, the lab password).</summary>
    public async Task<Guid> AddPoolAsync(
        string name, int port, string status = "active", string? password = "(lab)", string health = "unknown", int failures = 0,
        DateTimeOffset? lastCheck = null, string host = "", int currentInstances = 0)
    {
        await using NpgsqlConnection platform = await OpenPlatformAsync();
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO db_servers (name, host, port, server_type, status, health_status, health_check_failures, last_health_check, admin_user, admin_password, current_instances)
            VALUES (@name, @host, @port, 'shared', @status, @health, @failures, @last, 'postgres', @password, @current)
            RETURNING id
            """,
            platform);
        insert.Parameters.AddWithValue("name", name);
        insert.Parameters.AddWithValue("host", host.Length == 0 ? Host : host);
        insert.Parameters.AddWithValue("port", port);
        insert.Parameters.AddWithValue("status", status);
        insert.Parameters.AddWithValue("health", health);
        insert.Parameters.AddWithValue("failures", failures);
        insert.Parameters.AddWithValue("last", (object?)lastCheck ?? DBNull.Value);
        insert.Parameters.AddWithValue("password", password == "(lab)" ? Password : (object?)password ?? DBNull.Value);
        insert.Parameters.AddWithValue("current", currentInstances);
        return (Guid)(await insert.ExecuteScalarAsync())!;
    }

    public async Task<(string Status, string Health, int Failures, DateTimeOffset? LastCheck)> GetPoolRowAsync(Guid id)
    {
        await using NpgsqlConnection platform = await OpenPlatformAsync();
        await using var select = new NpgsqlCommand("SELECT status, health_status, health_check_failures, last_health_check FROM db_servers WHERE id = @id", platform);
        select.Parameters.AddWithValue("id", id);
        await using NpgsqlDataReader reader = await select.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"row {id} is gone");
        return (reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3));
    }

    public Task StopServerAsync(int port) => PgCtlAsync(port, "stop", "-m", "fast");

    public async Task StartServerAsync(int port)
    {
        if (await IsAcceptingAsync(port))
        {
            return;
        }

        await PgCtlAsync(port, "start", "-l", Path.Combine(_logDirectory, port + ".log"));
    }

    /// <summary>pg_ctl as the lab's PostgreSQL user.</summary>
    public async Task PgCtlAsync(int port, params string[] arguments)
    {
        var info = new ProcessStartInfo("runuser") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { "-u", _osUser, "--", Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_dataRoot, port.ToString(System.Globalization.CultureInfo.InvariantCulture)), "-w", "-t", "60" }.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("runuser did not start");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl {string.Join(' ', arguments)} for port {port} failed: {await stderr}");
        }
    }

    public async Task<bool> IsAcceptingAsync(int port)
    {
        try
        {
            await using NpgsqlConnection connection = await OpenAsync(port, "postgres");
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>A loopback port nothing listens on.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string SchemaPath()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "lab", "sql", "platform-schema.sql");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("tests/lab/sql/platform-schema.sql not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// Makes a loopback port swallow TCP packets (iptables DROP on lo), so connecting to it hangs until
/// a timeout, like a host behind a silent firewall. Only 127.0.0.0/8 is ever touched; the rule is
/// removed on dispose.
/// </summary>
public sealed class LoopbackDrop : IAsyncDisposable
{
    private readonly string[] _rule;

    private LoopbackDrop(int port)
    {
        Port = port;
        _rule = new[] { "INPUT", "-i", "lo", "-d", "127.0.0.0/8", "-p", "tcp", "--dport", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-j", "DROP", "-m", "comment", "--comment", "opstools-test" };
    }

    public int Port { get; }

    /// <summary>Adds the rule; skips (or fails in CI) when iptables cannot be used here.</summary>
    public static async Task<LoopbackDrop> CreateAsync()
    {
        var drop = new LoopbackDrop(PostgresFixture.FreePort());
        try
        {
            await IptablesAsync(new[] { "-I" }.Concat(drop._rule).ToArray());
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            LabEnvironment.Unreachable("iptables (root on loopback)", ex);
        }

        return drop;
    }

    public async ValueTask DisposeAsync() => await IptablesAsync(new[] { "-D" }.Concat(_rule).ToArray());

    private static async Task IptablesAsync(string[] arguments)
    {
        var info = new ProcessStartInfo("iptables") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("iptables did not start");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"iptables {string.Join(' ', arguments)} failed: {await stderr}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "Postgres lab";
}
