using System.Net;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Bookstore.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.DependencyInjection;

namespace Bookstore.Tests.Distributed;

/// <summary>The whole app as Aspire runs it, with its dashboard: pages, one trace across both services, the OTLP key.</summary>
[Collection(AspireApps.Name)]
public sealed class HomePageTests(DashboardApp fixture) : IClassFixture<DashboardApp>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = AspireApps.TestTimeout)]
    public async Task The_home_page_shows_three_mystery_books()
    {
        using var http = fixture.App.CreateHttpClient(BookstoreApp.Marketplace);

        var page = await http.GetStringAsync("/", Cancellation);

        Assert.Contains("Online Books For You", page, StringComparison.Ordinal);
        Assert.Contains("Mystery books you may like", page, StringComparison.Ordinal);
        Assert.Equal(3, BookstoreApp.CountBooks(page));
    }

    [Fact(Timeout = AspireApps.TestTimeout)]
    public async Task A_category_page_lists_its_books_and_an_unknown_category_gets_a_404_page()
    {
        using var http = fixture.App.CreateHttpClient(BookstoreApp.Marketplace);

        var page = await http.GetStringAsync("/category/science-fiction", Cancellation);
        using var unknown = await http.GetAsync("/category/poetry", Cancellation);

        Assert.Contains("Science fiction books you may like", page, StringComparison.Ordinal);
        Assert.Equal(3, BookstoreApp.CountBooks(page));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact(Timeout = AspireApps.TestTimeout)]
    public async Task One_home_page_request_is_one_trace_across_both_services_with_the_grpc_status_on_both_sides()
    {
        using var http = fixture.App.CreateHttpClient(BookstoreApp.Marketplace);
        using var response = await http.GetAsync("/", Cancellation);
        response.EnsureSuccessStatusCode();
        var traceId = response.Headers.TryGetValues("traceparent", out var values) ? values.Single().Split('-')[1] : null;

        // The services export every second; the dashboard's telemetry API serves what it received.
        List<Span> trace = [];
        var seen = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            using var traces = await fixture.TelemetryAsync("/api/telemetry/traces?limit=200");
            seen = traces.RootElement.ToString();
            trace = [.. Span.All(traces.RootElement).GroupBy(span => span.TraceId)
                .FirstOrDefault(spans => spans.Any(span => span.Resource == BookstoreApp.Marketplace && span.Kind == 2 && span.Attribute("url.path") == "/")
                    && spans.Any(span => span.Resource == BookstoreApp.Recommendations && span.Kind == 2)) ?? Enumerable.Empty<Span>()];
            if (trace.Count > 0)
            {
                break;
            }

            await Task.Delay(250, Cancellation);
        }

        Assert.True(trace.Count > 0, $"No trace with both services within 20 s (traceparent trace id {traceId}). The dashboard had:\n{seen[..Math.Min(seen.Length, 4000)]}");
        // Recommendations' gRPC server span ← the Marketplace's HTTP client span ← its gRPC client span ← the page.
        var server = trace.Single(span => span.Resource == BookstoreApp.Recommendations && span.Kind == 2);
        var httpClient = trace.Single(span => span.SpanId == server.ParentSpanId);
        var grpcClient = trace.Single(span => span.SpanId == httpClient.ParentSpanId);
        var page = trace.Single(span => span.Resource == BookstoreApp.Marketplace && span.Kind == 2);
        Assert.Equal(BookstoreApp.Marketplace, httpClient.Resource);
        Assert.Equal(3, grpcClient.Kind);
        Assert.Equal("Recommendations/Recommend", grpcClient.Attribute("rpc.method"));
        Assert.Equal("OK", grpcClient.Attribute("rpc.response.status_code"));
        Assert.Equal("0", server.Attribute("grpc.status_code"));
        Assert.Equal(page.SpanId, grpcClient.ParentSpanId);
        Assert.True(string.IsNullOrEmpty(page.ParentSpanId));
        Assert.All(trace, span => Assert.Equal(page.TraceId, span.TraceId));
    }

    [Fact(Timeout = AspireApps.TestTimeout)]
    public async Task Both_services_start_with_their_tier_1_recompilation_held_back()
    {
        foreach (var service in new[] { BookstoreApp.Recommendations, BookstoreApp.Marketplace })
        {
            var environment = await BookstoreApp.EnvironmentAsync(fixture.App, service);
            Assert.Equal("5000", environment["DOTNET_TC_CallCountingDelayMs"]);
        }
    }

    [Fact(Timeout = AspireApps.TestTimeout)]
    public async Task The_dashboard_lets_in_only_a_visitor_with_the_login_token()
    {
        var strangerCookies = new CookieContainer();
        using var stranger = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = strangerCookies });
        using var refused = await stranger.GetAsync(new Uri(fixture.LoginUrl, "/"), Cancellation);
        using var wrongToken = await stranger.GetAsync(new Uri(fixture.LoginUrl, "/login?t=wrong"), Cancellation);
        using var stillRefused = await stranger.GetAsync(new Uri(fixture.LoginUrl, "/"), Cancellation);

        var cookies = new CookieContainer();
        using var visitor = new HttpClient(new HttpClientHandler { CookieContainer = cookies });
        using var welcome = await visitor.GetAsync(fixture.LoginUrl, Cancellation);

        // Without the token every page sends the visitor to the login page; a wrong token sets no cookie.
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal("/login", new Uri(fixture.LoginUrl, refused.Headers.Location!).AbsolutePath);
        Assert.Empty(strangerCookies.GetCookies(fixture.LoginUrl));
        Assert.Equal(HttpStatusCode.Redirect, stillRefused.StatusCode);
        Assert.Equal("/login", new Uri(fixture.LoginUrl, stillRefused.Headers.Location!).AbsolutePath);
        Assert.NotEqual(HttpStatusCode.OK, wrongToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, welcome.StatusCode);
        Assert.NotEmpty(cookies.GetCookies(fixture.LoginUrl));
    }

    [Fact(Timeout = AspireApps.TestTimeout)]
    public async Task The_otlp_endpoint_refuses_an_export_without_its_api_key()
    {
        var environment = (await BookstoreApp.EnvironmentAsync(fixture.App, BookstoreApp.Recommendations));
        var endpoint = new Uri(environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var header = environment["OTEL_EXPORTER_OTLP_HEADERS"].Split('=', 2);

        async Task<string> ExportAsync(string? key)
        {
            using var http = Http2.CreateHttpClient(endpoint);
            // An empty ExportTraceServiceRequest: a gRPC frame of 0 bytes.
            using var request = Http2.GrpcRequest("/opentelemetry.proto.collector.trace.v1.TraceService/Export", new ByteArrayContent([0, 0, 0, 0, 0]));
            if (key is not null)
            {
                request.Headers.Add(header[0], key);
            }

            using var response = await http.SendAsync(request, Cancellation);
            await response.Content.ReadAsByteArrayAsync(Cancellation);
            return response.TrailingHeaders.TryGetValues("grpc-status", out var status) ? status.Single()
                : response.Headers.TryGetValues("grpc-status", out status) ? status.Single() : $"HTTP {(int)response.StatusCode}";
        }

        // The key is this run's own (AppHost/Extensions/RunScopedDashboardKeys.cs), from the command-line configuration,
        // not from the user secrets that every AppHost of the project shares and rewrites; both services send the same one.
        var configuration = (IConfigurationRoot)fixture.App.Services.GetRequiredService<IConfiguration>();
        Assert.IsType<CommandLineConfigurationProvider>(configuration.Providers.Last(provider => provider.TryGet("AppHost:OtlpApiKey", out _)));
        Assert.Equal($"x-otlp-api-key={configuration["AppHost:OtlpApiKey"]}", environment["OTEL_EXPORTER_OTLP_HEADERS"]);
        Assert.Equal(environment["OTEL_EXPORTER_OTLP_HEADERS"], (await BookstoreApp.EnvironmentAsync(fixture.App, BookstoreApp.Marketplace))["OTEL_EXPORTER_OTLP_HEADERS"]);

        // The dashboard refuses before gRPC: 401 Unauthorized.
        Assert.Equal("x-otlp-api-key", header[0]);
        Assert.Equal("HTTP 401", await ExportAsync(key: null));
        Assert.Equal("HTTP 401", await ExportAsync(key: "wrong"));
        Assert.Equal("0", await ExportAsync(key: header[1]));
    }

    /// <summary>A span from the dashboard's OTLP JSON, with the resource (service.name) that sent it.</summary>
    private sealed record Span(string Resource, string TraceId, string SpanId, string? ParentSpanId, int Kind, JsonElement Attributes)
    {
        public string? Attribute(string key) =>
            Attributes.ValueKind != JsonValueKind.Array ? null
                : Attributes.EnumerateArray().Where(attribute => attribute.GetProperty("key").GetString() == key)
                    .Select(attribute => attribute.GetProperty("value").EnumerateObject().First().Value.ToString()).FirstOrDefault();

        public static IEnumerable<Span> All(JsonElement root)
        {
            var data = root.TryGetProperty("data", out var inner) ? inner : root;
            if (!data.TryGetProperty("resourceSpans", out var resourceSpans))
            {
                yield break;
            }

            foreach (var resourceSpan in resourceSpans.EnumerateArray())
            {
                var resource = resourceSpan.GetProperty("resource").GetProperty("attributes").EnumerateArray()
                    .Where(attribute => attribute.GetProperty("key").GetString() == "service.name")
                    .Select(attribute => attribute.GetProperty("value").GetProperty("stringValue").GetString()).FirstOrDefault() ?? "";
                foreach (var span in resourceSpan.GetProperty("scopeSpans").EnumerateArray().SelectMany(scope => scope.GetProperty("spans").EnumerateArray()))
                {
                    yield return new Span(
                        resource,
                        span.GetProperty("traceId").GetString()!,
                        span.GetProperty("spanId").GetString()!,
                        span.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() : null,
                        span.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.Number ? kind.GetInt32() : 0,
                        span.TryGetProperty("attributes", out var attributes) ? attributes.Clone() : default);
                }
            }
        }
    }
}
