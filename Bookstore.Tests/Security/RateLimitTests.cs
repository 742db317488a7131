using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Bookstore.Tests.Infrastructure;

namespace Bookstore.Tests.Security;

/// <summary>The Marketplace's rate limit per client address, on a process of its own with a small budget.</summary>
public sealed class RateLimitTests(RunningServices services)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_client_over_its_limit_gets_429_with_retry_after_while_other_clients_and_probes_go_on()
    {
        await using var marketplace = await ServiceProcess.StartMarketplaceAsync(services.Recommendations.BaseAddress, new Dictionary<string, string>
        {
            ["RateLimiting__Enabled"] = "true",
            ["RateLimiting__Burst"] = "5",
            ["RateLimiting__PermitsPerSecond"] = "1",
        });
        using var greedy = ClientFrom(IPAddress.Loopback, marketplace.BaseAddress);
        using var other = ClientFrom(IPAddress.Parse("127.0.0.2"), marketplace.BaseAddress);

        // 5 at once is the budget; the requests after it (faster than one a second) are refused.
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 10; i++)
        {
            var response = await greedy.GetAsync("/api/books/1", Cancellation);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused?.Dispose();
                refused = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.True(statuses.Take(5).All(status => status == HttpStatusCode.OK), string.Join(", ", statuses));
        Assert.True(statuses.Count(status => status == HttpStatusCode.TooManyRequests) >= 4, string.Join(", ", statuses));
        using (refused)
        {
            Assert.NotNull(refused);
            var retryAfter = refused.Headers.RetryAfter?.Delta;
            Assert.True(retryAfter >= TimeSpan.FromSeconds(1), $"Retry-After: {refused.Headers.RetryAfter}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Cancellation));
            Assert.Equal(429, problem.RootElement.GetProperty("status").GetInt32());
        }

        // Probes are never limited, and another address has its own budget.
        for (var i = 0; i < 10; i++)
        {
            using var health = await greedy.GetAsync("/health", Cancellation);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        using (var page = await other.GetAsync("/", Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        // The greedy client gets tokens back (one a second) and is served again.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            using var again = await greedy.GetAsync("/api/books/1", Cancellation);
            if (again.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "The limit never let the client in again.");
            await Task.Delay(again.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), Cancellation);
        }
    }

    /// <summary>An HTTP client whose connections come from <paramref name="source"/> (any 127.x address is this machine).</summary>
    private static HttpClient ClientFrom(IPAddress source, Uri baseAddress) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = baseAddress };
}
