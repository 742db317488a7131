using System.Net;
using Bookstore.Tests.Infrastructure;

namespace Bookstore.Tests.Fuzzing;

/// <summary>Recommendations and a Marketplace of the fuzz tests' own (not the assembly's shared pair), so that their
/// memory is measured alone.</summary>
public sealed class FuzzedServices : RunningServices
{
    // The fuzz checks how the Marketplace handles its input, not how fast Recommendations answers: a valid rating whose
    // write (a committed SQLite transaction with its fsync) took longer on a loaded CI machine got the designed 503
    // "Recommendations is unavailable right now", and that counted as a failure. First with the 2 s deadline (CI,
    // 2026-12-01); with a 30 s deadline, three of 537 valid ratings still did (CI, 2026-12-02): each attempt was cut by
    // the fast failover's 1 s attempt timeout, the call by its 3 s total. Here neither cuts a slow write.
    protected override IReadOnlyDictionary<string, string> MarketplaceEnvironment { get; } = new Dictionary<string, string>
    {
        ["Recommendations__Deadline"] = "00:00:30",
        ["Recommendations__Resilience__AttemptTimeout__Timeout"] = "00:00:30",
        ["Recommendations__Resilience__TotalRequestTimeout__Timeout"] = "00:01:30",
        ["Recommendations__Resilience__CircuitBreaker__SamplingDuration"] = "00:01:00",
    };
}

/// <summary>
/// Every entry point gets <see cref="FuzzSettings.Inputs"/> malformed inputs (10,000 by default, a fixed seed): each must
/// get a proper answer (a gRPC status other than UNKNOWN, an HTTP status under 500, an HTTP/2 RST_STREAM or GOAWAY, or
/// the connection closed on an incomplete input), the process must live, its memory must stop growing (RSS from
/// halfway to the end), and a normal call must succeed right after. scripts/fuzz.sh runs longer campaigns by hand.
/// </summary>
public sealed class FuzzTests(FuzzedServices services) : IClassFixture<FuzzedServices>
{
    // Once the first half of the inputs has run, the second half may add at most this much resident memory: what one
    // input leaked would add up to more over 5,000 of them (e.g. 16 KiB each is 78 MiB), while the GC's own growth is
    // mostly over by then.
    private const long SecondHalfGrowthLimit = 48L << 20;

    private static readonly FuzzSettings Settings = FuzzSettings.FromEnvironment();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Broken_grpc_frames_get_grpc_statuses()
    {
        using var http = Http2.CreateHttpClient(services.Recommendations.BaseAddress);
        var report = await FuzzRunner.RunAsync("gRPC frames (Recommendations)", Settings, services.Recommendations.ProcessId,
            (random, token) => GrpcFrames.SendAsync(http, random, token), Cancellation);

        await AssertSurvivedAsync(report, services.Recommendations);
        await Http2.AssertRecommendationsServeAsync(services.Recommendations.BaseAddress, Cancellation);
    }

    [Fact]
    public async Task Malformed_http2_frames_get_protocol_errors_or_answers()
    {
        var report = await FuzzRunner.RunAsync("raw HTTP/2 frames (Recommendations)", Settings, services.Recommendations.ProcessId,
            (random, token) => Http2Frames.SendAsync(services.Recommendations.BaseAddress, random, token), Cancellation);

        await AssertSurvivedAsync(report, services.Recommendations);
        await Http2.AssertRecommendationsServeAsync(services.Recommendations.BaseAddress, Cancellation);
    }

    [Fact]
    public async Task Malformed_http1_requests_get_4xx()
    {
        var report = await FuzzRunner.RunAsync("raw HTTP/1.1 requests (Marketplace)", Settings, services.Marketplace.ProcessId,
            (random, token) => Http1Requests.SendAsync(services.Marketplace.BaseAddress, random, token), Cancellation);

        await AssertSurvivedAsync(report, services.Marketplace);
        await AssertMarketplaceServesAsync();
    }

    [Fact]
    public async Task Malformed_form_and_json_bodies_get_4xx()
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            // Header values as bytes (Latin-1), so that a fuzzed cookie can carry any byte instead of being refused here.
            RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.Latin1,
        };
        using var http = new HttpClient(handler) { BaseAddress = services.Marketplace.BaseAddress };
        var antiforgery = await FormAndJsonBodies.ReadAntiforgeryAsync(http, Cancellation);
        var report = await FuzzRunner.RunAsync("form and JSON bodies (Marketplace)", Settings, services.Marketplace.ProcessId,
            (random, token) => FormAndJsonBodies.SendAsync(http, antiforgery, random, token), Cancellation);

        await AssertSurvivedAsync(report, services.Marketplace);
        await AssertMarketplaceServesAsync();
    }

    private static async Task AssertSurvivedAsync(FuzzReport report, ServiceProcess service)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(report.ToString());
        Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "TestResults", "fuzz"));
        await File.AppendAllTextAsync(Path.Combine(RepoPaths.Root, "TestResults", "fuzz", "report.txt"), report + "\n", Cancellation);

        Assert.False(service.HasExited, $"The service exited during the fuzz run.\n{report}\n{service.Output[^Math.Min(service.Output.Length, 4000)..]}");
        Assert.True(report.Failed == 0, $"{report}\nThe service's output ends:\n{service.Output[^Math.Min(service.Output.Length, 6000)..]}");
        var expected = Settings.Only is null ? Settings.Inputs : 1;
        Assert.True(report.Sent == expected, $"Only {report.Sent} of {expected} inputs ran within {Settings.TimeLimit}.\n{report}");
        Assert.True(report.RssAfter - report.RssHalfway <= SecondHalfGrowthLimit || Settings.Only is not null,
            $"The service's memory kept growing: {report}");
    }

    private async Task AssertMarketplaceServesAsync()
    {
        using var http = new HttpClient { BaseAddress = services.Marketplace.BaseAddress };
        using var home = await http.GetAsync("/", Cancellation);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("Mystery books you may like", await home.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
    }
}
