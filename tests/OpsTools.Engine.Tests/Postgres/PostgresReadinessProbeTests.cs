using System;
using System.Diagnostics;
using System.Threading.Tasks;
using Npgsql;
using OpsTools.Engine.Postgres;
using OpsTools.Postgres;

namespace OpsTools.Engine.Tests.Postgres;

/// <summary>pg_isready semantics against real servers, without the pg_isready binary.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresReadinessProbeTests(PostgresFixture lab)
{
    [SkippableFact]
    public async Task A_running_server_is_accepting_even_without_a_password()
    {
        lab.RequireLab();

        PostgresReadiness readiness = await PostgresReadinessProbe.ProbeAsync(new PostgresConnectionRequest
        {
            Server = $"host={lab.Host} port={lab.StablePoolPort} user=nobody-in-particular",
            Environment = new System.Collections.Generic.Dictionary<string, string>(),
            HomeDirectory = "/nonexistent",
        });

        Assert.Equal(PostgresReadyStatus.Accepting, readiness.Status);
        Assert.Equal(0, readiness.ExitCode);
        Assert.Equal($"{lab.Host}:{lab.StablePoolPort}", readiness.Server);
        Assert.Equal("accepting connections", readiness.Message);
        Assert.NotNull(readiness.LatencyMilliseconds);
        Assert.Null(readiness.ServerVersion);
    }

    [SkippableFact]
    public async Task With_a_password_the_server_version_is_read_too()
    {
        lab.RequireLab();

        PostgresReadiness readiness = await PostgresReadinessProbe.ProbeAsync(lab.ServerRequest(lab.PlatformPort));

        Assert.Equal(PostgresReadyStatus.Accepting, readiness.Status);
        Assert.Matches(@"^15\.\d+$", readiness.ServerVersion);
    }

    [SkippableFact]
    public async Task A_port_nobody_listens_on_is_no_response()
    {
        lab.RequireLab();

        PostgresReadiness readiness = await PostgresReadinessProbe.ProbeAsync(lab.ServerRequest(PostgresFixture.FreePort(), timeout: TimeSpan.FromSeconds(2)));

        Assert.Equal((PostgresReadyStatus.NoResponse, 2, "no response"), (readiness.Status, readiness.ExitCode, readiness.Message));
        Assert.Contains("connection refused", readiness.Detail, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_port_whose_packets_are_dropped_is_no_response_after_the_timeout()
    {
        lab.RequireLab();
        await using LoopbackDrop drop = await LoopbackDrop.CreateAsync();
        var watch = Stopwatch.StartNew();

        PostgresReadiness readiness = await PostgresReadinessProbe.ProbeAsync(lab.ServerRequest(drop.Port, timeout: TimeSpan.FromSeconds(1)));

        Assert.Equal(PostgresReadyStatus.NoResponse, readiness.Status);
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 3);
    }

    [Fact]
    public async Task An_unreadable_server_text_is_no_attempt()
    {
        PostgresReadiness readiness = await PostgresReadinessProbe.ProbeAsync(new PostgresConnectionRequest { Server = "db1:notaport" });

        Assert.Equal((PostgresReadyStatus.NoAttempt, 3, "no attempt"), (readiness.Status, readiness.ExitCode, readiness.Message));
    }

    [SkippableFact]
    public async Task A_server_shutting_down_is_rejecting()
    {
        lab.RequireLab();
        // A smart shutdown waits for the open session, and meanwhile refuses new ones with 57P03.
        await using NpgsqlConnection holder = await lab.OpenAsync(lab.StoppablePoolPort, "postgres");
        try
        {
            await lab.PgCtlAsync(lab.StoppablePoolPort, "stop", "-m", "smart", "--no-wait");
            PostgresReadiness readiness = await PostgresReadinessProbe.ProbeAsync(lab.ServerRequest(lab.StoppablePoolPort));

            Assert.Equal((PostgresReadyStatus.Rejecting, 1, "rejecting connections"), (readiness.Status, readiness.ExitCode, readiness.Message));
            Assert.Contains("shutting down", readiness.Detail, StringComparison.Ordinal);
        }
        finally
        {
            await holder.CloseAsync();
            await WaitStoppedAsync(lab.StoppablePoolPort);
            await lab.StartServerAsync(lab.StoppablePoolPort);
        }
    }

    [SkippableFact]
    public async Task A_unix_socket_directory_is_probed_as_pg_isready_names_it()
    {
        lab.RequireLab();

        PostgresReadiness readiness = await PostgresReadinessProbe.ProbeAsync(new PostgresConnectionRequest { Server = $"/run/opstools-lab-postgres:{lab.StablePoolPort}" });

        Assert.Equal(PostgresReadyStatus.Accepting, readiness.Status);
        Assert.Equal($"/run/opstools-lab-postgres:{lab.StablePoolPort}", readiness.Server);
    }

    private async Task WaitStoppedAsync(int port)
    {
        try
        {
            // Finishes the shutdown (or waits for it) before the server is started again.
            await lab.PgCtlAsync(port, "stop", "-m", "fast");
        }
        catch (InvalidOperationException)
        {
            // Already stopped once the held session closed.
        }
    }
}
