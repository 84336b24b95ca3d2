using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OpsTools.Engine.Http;
using OpsTools.Http;

namespace OpsTools.Engine.Tests.Http;

/// <summary>
/// Health checks against real loopback sockets: a tiny HTTP server that answers by path, a
/// listener that accepts connections and never answers, and a port nobody listens on.
/// </summary>
public sealed class EndpointCheckerTests : IAsyncLifetime
{
    private readonly TcpListener _server = new(IPAddress.Loopback, 0);
    private readonly TcpListener _silent = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private Task? _serving;

    private string Base => $"http://127.0.0.1:{((IPEndPoint)_server.LocalEndpoint).Port}";

    private string Silent => $"http://127.0.0.1:{((IPEndPoint)_silent.LocalEndpoint).Port}/";

    public Task InitializeAsync()
    {
        _server.Start();
        // Never accepted: the kernel completes the handshake from the backlog and nothing ever answers.
        _silent.Start();
        _serving = ServeAsync(_stop.Token);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _stop.Cancel();
        _server.Stop();
        _silent.Stop();
        if (_serving is not null)
        {
            await Task.WhenAny(_serving, Task.Delay(1000));
        }

        _stop.Dispose();
    }

    [Fact]
    public async Task A_200_with_the_expected_json_is_healthy()
    {
        using var checker = new EndpointChecker(TimeSpan.FromSeconds(2), skipCertificateCheck: false);

        ServiceEndpointCheck check = await checker.CheckAsync(new EndpointTarget(new Uri(Base + "/ok")), new EndpointExpectations { Json = new Dictionary<string, object?> { ["status"] = "ok", ["checks.db"] = true } });

        Assert.True(check.Healthy, check.Detail);
        Assert.Equal(200, check.StatusCode);
        Assert.Equal(EndpointFailureReason.None, check.Reason);
        Assert.True(check.ExpectationsMet);
    }

    [Fact]
    public async Task A_500_is_unhealthy_for_its_status()
    {
        using var checker = new EndpointChecker(TimeSpan.FromSeconds(2), skipCertificateCheck: false);

        ServiceEndpointCheck check = await checker.CheckAsync(new EndpointTarget(new Uri(Base + "/fail")), new EndpointExpectations());

        Assert.False(check.Healthy);
        Assert.Equal(500, check.StatusCode);
        Assert.Equal(EndpointFailureReason.Status, check.Reason);
        Assert.Single(check.FailedExpectations);
    }

    [Fact]
    public async Task A_json_value_that_differs_is_a_json_mismatch_naming_the_path()
    {
        using var checker = new EndpointChecker(TimeSpan.FromSeconds(2), skipCertificateCheck: false);

        ServiceEndpointCheck check = await checker.CheckAsync(new EndpointTarget(new Uri(Base + "/ok")), new EndpointExpectations { Json = new Dictionary<string, object?> { ["status"] = "degraded" } });

        Assert.Equal(EndpointFailureReason.JsonMismatch, check.Reason);
        Assert.Contains("'status' is 'ok', expected 'degraded'", Assert.Single(check.FailedExpectations), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_port_is_refused()
    {
        using var checker = new EndpointChecker(TimeSpan.FromSeconds(2), skipCertificateCheck: false);
        var free = new TcpListener(IPAddress.Loopback, 0);
        free.Start();
        int port = ((IPEndPoint)free.LocalEndpoint).Port;
        free.Stop();

        ServiceEndpointCheck check = await checker.CheckAsync(new EndpointTarget(new Uri($"http://127.0.0.1:{port}/")), new EndpointExpectations());

        Assert.Equal(EndpointFailureReason.Refused, check.Reason);
        Assert.Null(check.StatusCode);
    }

    [Fact]
    public async Task Many_silent_endpoints_together_cost_about_one_timeout()
    {
        using var checker = new EndpointChecker(TimeSpan.FromSeconds(1), skipCertificateCheck: false);
        var targets = Enumerable.Range(0, 5).Select(_ => new EndpointTarget(new Uri(Silent))).Append(new EndpointTarget(new Uri(Base + "/ok"))).ToList();
        var watch = Stopwatch.StartNew();

        IReadOnlyList<ServiceEndpointCheck> checks = await checker.CheckAllAsync(targets, new EndpointExpectations(), throttleLimit: 16);

        watch.Stop();
        Assert.All(checks.Take(5), c => Assert.Equal(EndpointFailureReason.Timeout, c.Reason));
        Assert.True(checks[5].Healthy);
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 4.5);
    }

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _server.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    NetworkStream stream = client.GetStream();
                    var buffer = new byte[4096];
                    int read = await stream.ReadAsync(buffer, cancellationToken);
                    string request = Encoding.ASCII.GetString(buffer, 0, read);
                    string path = request.Split(' ')[1];
                    (int status, string body) = path == "/ok" ? (200, "{\"status\":\"ok\",\"checks\":{\"db\":true}}") : (500, "{\"status\":\"error\"}");
                    string response = $"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(response), cancellationToken);
                }
            }, cancellationToken);
        }
    }
}
