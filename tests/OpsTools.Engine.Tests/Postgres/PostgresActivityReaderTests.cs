using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using OpsTools.Engine.Postgres;
using OpsTools.Postgres;

namespace OpsTools.Engine.Tests.Postgres;

/// <summary>Sessions, per-database counts, lock waits and terminating sessions on a real server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresActivityReaderTests(PostgresFixture lab)
{
    private Task<PostgresActivityReader> OpenReaderAsync() =>
        PostgresActivityReader.OpenAsync(PostgresEndpoint.Resolve(lab.ServerRequest(lab.PlatformPort)));

    [SkippableFact]
    public async Task An_open_transaction_shows_as_idle_in_transaction_with_its_duration_and_not_our_own_session()
    {
        lab.RequireLab();
        await using NpgsqlConnection client = await lab.OpenAsync(lab.PlatformPort, lab.PlatformDatabase);
        await using (var begin = new NpgsqlCommand("BEGIN; SELECT count(*) FROM db_servers", client))
        {
            await begin.ExecuteNonQueryAsync();
        }

        await Task.Delay(300);
        await using PostgresActivityReader reader = await OpenReaderAsync();

        IReadOnlyList<PostgresSession> sessions = await reader.GetSessionsAsync();

        PostgresSession session = Assert.Single(sessions, s => s.ProcessId == client.ProcessID);
        Assert.Equal(PostgresSessionState.IdleInTransaction, session.State);
        Assert.Equal(lab.PlatformDatabase, session.Database);
        Assert.True(session.Duration >= TimeSpan.FromMilliseconds(250), $"duration {session.Duration}");
        Assert.Equal(session.TransactionDuration, session.Duration);
        Assert.Contains("db_servers", session.Query, StringComparison.Ordinal);
        Assert.DoesNotContain(sessions, s => s.ProcessId == reader.OwnProcessId);
        Assert.True(Assert.Single(sessions, s => s.ProcessId == client.ProcessID).Ssl, "the platform server has ssl on and sslmode prefer uses it");
    }

    [SkippableFact]
    public async Task Summary_counts_connections_per_database_against_max_connections()
    {
        lab.RequireLab();
        await using NpgsqlConnection one = await lab.OpenAsync(lab.PlatformPort, lab.PlatformDatabase);
        await using NpgsqlConnection two = await lab.OpenAsync(lab.PlatformPort, lab.PlatformDatabase);
        await using PostgresActivityReader reader = await OpenReaderAsync();

        PostgresDatabaseActivity ours = Assert.Single(await reader.GetDatabaseActivityAsync(), d => d.Database == lab.PlatformDatabase);

        Assert.True(ours.Connections >= 2, $"{ours.Connections} connections");
        Assert.Equal(60, ours.MaxConnections);
        Assert.True(ours.ServerConnections >= ours.Connections);
        Assert.Equal(Math.Round(ours.Connections * 100.0 / 60, 1), ours.PercentOfMaxConnections);
    }

    [SkippableFact]
    public async Task A_blocked_update_is_paired_with_its_blocker_and_runs_once_the_blocker_is_terminated()
    {
        lab.RequireLab();
        string table = "locktest_" + Guid.NewGuid().ToString("N")[..6];
        await lab.ExecuteAsync(lab.PlatformPort, lab.PlatformDatabase, $"CREATE TABLE {table} (id int PRIMARY KEY, v int); INSERT INTO {table} VALUES (1, 0)");
        await using NpgsqlConnection blocker = await lab.OpenAsync(lab.PlatformPort, lab.PlatformDatabase);
        await using NpgsqlConnection waiter = await lab.OpenAsync(lab.PlatformPort, lab.PlatformDatabase);
        await using (var hold = new NpgsqlCommand($"BEGIN; UPDATE {table} SET v = 1 WHERE id = 1", blocker))
        {
            await hold.ExecuteNonQueryAsync();
        }

        await using var blocked = new NpgsqlCommand($"UPDATE {table} SET v = 2 WHERE id = 1", waiter);
        Task<int> waiting = blocked.ExecuteNonQueryAsync();
        await using PostgresActivityReader reader = await OpenReaderAsync();
        PostgresLockWait wait = await WaitForLockAsync(reader, waiter.ProcessID);

        Assert.Equal(blocker.ProcessID, wait.BlockingPid);
        Assert.Equal(PostgresSessionState.IdleInTransaction, wait.BlockingState);
        Assert.False(wait.BlockingIsWaiting);
        Assert.Equal("transactionid", wait.LockType);
        Assert.Equal("ShareLock", wait.LockMode);
        Assert.Contains("SET v = 2", wait.BlockedQuery, StringComparison.Ordinal);
        Assert.Contains("SET v = 1", wait.BlockingQuery, StringComparison.Ordinal);
        Assert.Contains(blocker.ProcessID, (await reader.GetSessionsAsync()).Single(s => s.ProcessId == waiter.ProcessID).BlockedBy);

        Assert.True(await reader.TerminateAsync(blocker.ProcessID));

        Assert.Equal(1, await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.DoesNotContain(await reader.GetSessionsAsync(), s => s.ProcessId == blocker.ProcessID);
    }

    [SkippableFact]
    public async Task Terminating_a_process_that_is_no_session_returns_false_and_our_own_is_refused()
    {
        lab.RequireLab();
        await using PostgresActivityReader reader = await OpenReaderAsync();

        Assert.False(await reader.TerminateAsync(1));
        OpsToolsException own = await Assert.ThrowsAsync<OpsToolsException>(() => reader.TerminateAsync(reader.OwnProcessId));
        Assert.Equal("PostgresSessionIsOwn", own.ErrorId);
    }

    [SkippableFact]
    public async Task Verify_full_against_the_lab_CA_connects_over_ssl()
    {
        lab.RequireLab();
        string? ca = Lab.LabEnvironment.Get("OPSTOOLS_TEST_PG_SSL_ROOT_CERT");
        Skip.If(ca is null, "OPSTOOLS_TEST_PG_SSL_ROOT_CERT is unset");
        PostgresEndpoint endpoint = PostgresEndpoint.Resolve(new PostgresConnectionRequest
        {
            Server = $"host=localhost port={lab.PlatformPort} sslmode=verify-full sslrootcert={ca}",
            Credential = new System.Net.NetworkCredential(lab.User, lab.Password),
        });
        await using NpgsqlConnection observer = await lab.OpenAsync(lab.PlatformPort, "postgres");

        await using PostgresActivityReader reader = await PostgresActivityReader.OpenAsync(endpoint);

        await using var ssl = new NpgsqlCommand($"SELECT ssl FROM pg_stat_ssl WHERE pid = {reader.OwnProcessId}", observer);
        Assert.Equal(true, await ssl.ExecuteScalarAsync());
    }

    [SkippableFact]
    public async Task Wrong_password_is_an_authentication_error_that_names_no_password()
    {
        lab.RequireLab();

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() =>
            PostgresActivityReader.OpenAsync(PostgresEndpoint.Resolve(lab.ServerRequest(lab.PlatformPort, password: "Wrong-Secret-42"))));

        Assert.Equal(("PostgresAuthenticationFailed", OpsToolsErrorKind.AuthenticationError), (error.ErrorId, error.Kind));
        Assert.DoesNotContain("Wrong-Secret-42", error.Message, StringComparison.Ordinal);
    }

    private static async Task<PostgresLockWait> WaitForLockAsync(PostgresActivityReader reader, int blockedPid)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            PostgresLockWait? wait = (await reader.GetLockWaitsAsync()).FirstOrDefault(w => w.BlockedPid == blockedPid);
            if (wait is not null)
            {
                return wait;
            }

            Assert.True(DateTime.UtcNow < deadline, $"session {blockedPid} never showed as waiting for a lock");
            await Task.Delay(100);
        }
    }
}
