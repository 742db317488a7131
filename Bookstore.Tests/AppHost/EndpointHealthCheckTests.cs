using System.Net;
using System.Net.Sockets;
using System.Text;
using Bookstore.AppHost.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bookstore.Tests.AppHost;

/// <summary>The AppHost's transport health check against a plain socket that the test opens late, closes, or answers.</summary>
public sealed class EndpointHealthCheckTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task A_service_that_listens_only_seconds_after_its_start_is_healthy_as_soon_as_it_answers()
    {
        // Bound but not listening: connections are refused, as by a service that is still starting. A loaded machine
        // took Recommendations 3.0-4.5 s to listen; with the check's former 3 s window it said unhealthy at 3 s, and
        // Aspire asked again only a second or more later.
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var uri = new Uri($"http://127.0.0.1:{((IPEndPoint)server.LocalEndPoint!).Port}/health");
        using var client = EndpointHealthCheck.CreateClient(authorityPath: null);

        var probe = EndpointHealthCheck.ProbeAsync(client, uri, HttpVersion.Version11, Cancellation);
        await Task.Delay(TimeSpan.FromSeconds(4), Cancellation);
        Assert.False(probe.IsCompleted, "The check answered before the service listened.");

        server.Listen();
        var answering = AnswerOnceAsync(server, "200 OK");
        var result = await probe;

        Assert.Equal(HealthStatus.Healthy, result.Status);
        await answering;
    }

    [Fact(Timeout = 60_000)]
    public async Task A_service_that_answers_503_is_unhealthy_at_once_with_the_status_in_the_description()
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        server.Listen();
        var uri = new Uri($"http://127.0.0.1:{((IPEndPoint)server.LocalEndPoint!).Port}/health");
        using var client = EndpointHealthCheck.CreateClient(authorityPath: null);

        var answering = AnswerOnceAsync(server, "503 Service Unavailable");
        var result = await EndpointHealthCheck.ProbeAsync(client, uri, HttpVersion.Version11, Cancellation);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal($"{uri} answered 503.", result.Description);
        await answering;
    }

    [Fact(Timeout = 60_000)]
    public async Task The_check_ends_when_aspire_cancels_it_while_the_service_still_refuses_connections()
    {
        // Aspire cancels a resource's checks when it stops running: the long start-up window must not outlive that.
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var uri = new Uri($"http://127.0.0.1:{((IPEndPoint)server.LocalEndPoint!).Port}/health");
        using var client = EndpointHealthCheck.CreateClient(authorityPath: null);
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);

        var probe = EndpointHealthCheck.ProbeAsync(client, uri, HttpVersion.Version11, stopped.Token);
        await stopped.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe);
    }

    /// <summary>Accepts one connection, reads one HTTP/1.1 request and answers it with <paramref name="status"/>.</summary>
    private static async Task AnswerOnceAsync(Socket server, string status)
    {
        using var connection = await server.AcceptAsync(Cancellation);
        var request = new StringBuilder();
        var buffer = new byte[1024];
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await connection.ReceiveAsync(buffer, Cancellation);
            Assert.True(read > 0, "The check closed the connection before its request was complete.");
            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.StartsWith("GET /health HTTP/1.1", request.ToString(), StringComparison.Ordinal);
        await connection.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), Cancellation);
    }
}
