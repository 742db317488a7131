using System.Net;
using System.Net.Http.Headers;
using Bookstore.Hosting.Telemetry;
using Bookstore.Tests.Infrastructure;

namespace Bookstore.Tests.Distributed;

/// <summary>The AppHost's OTLP receivers, fed by the real services' OpenTelemetry exporters.</summary>
public sealed class TelemetryTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task One_home_page_request_is_one_trace_across_both_services_with_the_grpc_status_on_both_sides()
    {
        await using var app = await BookstoreApp.StartAsync();
        using var http = app.CreateHttpClient(BookstoreApp.Marketplace);
        using var response = await http.GetAsync("/", Cancellation);
        var traceParent = response.Headers.TryGetValues("traceparent", out var values) ? values.Single() : null;

        IReadOnlyList<TelemetrySpan>? trace = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (trace is null && DateTime.UtcNow < deadline)
        {
            trace = app.Telemetry.Traces().FirstOrDefault(spans =>
                spans.Any(span => span.Resource == BookstoreApp.Marketplace && span.Kind == "Server" && span.Attributes.GetValueOrDefault("url.path") == "/")
                && spans.Any(span => span.Resource == BookstoreApp.Recommendations && span.Kind == "Server"));
            await Task.Delay(200, Cancellation);
        }

        var seen = string.Join('\n', app.Telemetry.Traces().SelectMany(spans => spans).Select(span =>
            $"{span.Resource} {span.Kind} {span.Name} trace={span.TraceId} parent={span.ParentSpanId} [{string.Join(", ", span.Attributes.Select(pair => $"{pair.Key}={pair.Value}"))}]"));
        Assert.True(trace is not null, $"No trace with both services within 15 s (traceparent {traceParent}). Spans seen:\n{seen}");

        // recommendations' gRPC server span ← the Marketplace's HTTP client span ← its gRPC client span ← the page.
        var server = trace.Single(span => span.Resource == BookstoreApp.Recommendations && span.Kind == "Server");
        var httpClient = trace.Single(span => span.SpanId == server.ParentSpanId);
        var grpcClient = trace.Single(span => span.SpanId == httpClient.ParentSpanId);
        Assert.Equal(BookstoreApp.Marketplace, httpClient.Resource);
        Assert.Equal("Client", grpcClient.Kind);
        Assert.Equal("Recommendations/Recommend", grpcClient.Attributes.GetValueOrDefault("rpc.method"));
        Assert.True(grpcClient.Attributes.GetValueOrDefault("rpc.response.status_code") == "OK", seen);
        Assert.True(server.Attributes.GetValueOrDefault("grpc.status_code") == "0", seen);
        var page = trace.Single(span => span.Resource == BookstoreApp.Marketplace && span.Kind == "Server");
        Assert.Null(page.ParentSpanId);
        Assert.Equal(page.SpanId, grpcClient.ParentSpanId);
        Assert.All(trace, span => Assert.Equal(page.TraceId, span.TraceId));
    }

    [Fact]
    public async Task Structured_logs_and_metrics_arrive_and_an_export_without_the_key_is_refused()
    {
        await using var app = await BookstoreApp.StartAsync();
        using var http = app.CreateHttpClient(BookstoreApp.Marketplace);
        await http.GetStringAsync("/", Cancellation);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline
            && !(app.Telemetry.Logs().Any(log => log.Resource == BookstoreApp.Recommendations && log.Message.Contains("/Recommendations/Recommend", StringComparison.Ordinal))
                && app.Telemetry.Metrics(BookstoreApp.Recommendations).Any(point => point.Name == "rpc.server.calls")))
        {
            await Task.Delay(200, Cancellation);
        }

        Assert.Contains(app.Telemetry.Logs(), log => log.Resource == BookstoreApp.Recommendations && log.Message.Contains("/Recommendations/Recommend", StringComparison.Ordinal));
        Assert.Contains(app.Telemetry.Metrics(BookstoreApp.Recommendations), point => point.Name == "rpc.server.calls");

        // OTLP/HTTP: no key → 401, a malformed body → 400, and the receiver keeps running.
        var endpoint = new Uri(app.GetOtlpHttpEndpoint(), "/v1/traces");
        using var receiver = new HttpClient();
        using var noKey = new ByteArrayContent([]);
        noKey.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        Assert.Equal(HttpStatusCode.Unauthorized, (await receiver.PostAsync(endpoint, noKey, Cancellation)).StatusCode);

        using var malformed = new ByteArrayContent([0x0a, 0xff, 0xff, 0xff]);
        malformed.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        malformed.Headers.Add(OtlpReceiver.ApiKeyHeader, app.GetOtlpApiKey());
        Assert.Equal(HttpStatusCode.BadRequest, (await receiver.PostAsync(endpoint, malformed, Cancellation)).StatusCode);

        // OTLP/gRPC: no key or a wrong key → Unauthenticated.
        using var channel = Http2.CreateChannel(new Uri(app.EnvironmentOf(BookstoreApp.Recommendations)["OTEL_EXPORTER_OTLP_ENDPOINT"]));
        var traces = new Bookstore.Hosting.Telemetry.Otlp.TraceService.TraceServiceClient(channel);
        foreach (var headers in new[] { new Grpc.Core.Metadata(), new Grpc.Core.Metadata { { OtlpReceiver.ApiKeyHeader, "wrong" } } })
        {
            var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
                traces.ExportAsync(new Bookstore.Hosting.Telemetry.Otlp.ExportTraceServiceRequest(), headers, cancellationToken: Cancellation).ResponseAsync);
            Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, refused.StatusCode);
        }

        // OTLP/gRPC: a malformed message → InvalidArgument.
        using (var grpcHttp = Http2.CreateHttpClient(new Uri(app.EnvironmentOf(BookstoreApp.Recommendations)["OTEL_EXPORTER_OTLP_ENDPOINT"])))
        {
            using var request = Http2.GrpcRequest("/opentelemetry.proto.collector.trace.v1.TraceService/Export", new ByteArrayContent([0, 0, 0, 0, 4, 0x0a, 0xff, 0xff, 0xff]));
            request.Headers.Add(OtlpReceiver.ApiKeyHeader, app.GetOtlpApiKey());
            using var response = await grpcHttp.SendAsync(request, Cancellation);
            await response.Content.ReadAsByteArrayAsync(Cancellation);
            Assert.Equal("3", response.TrailingHeaders.GetValues("grpc-status").Single());
        }

        using var empty = new ByteArrayContent([]);
        empty.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        empty.Headers.Add(OtlpReceiver.ApiKeyHeader, app.GetOtlpApiKey());
        Assert.Equal(HttpStatusCode.OK, (await receiver.PostAsync(endpoint, empty, Cancellation)).StatusCode);
    }
}
