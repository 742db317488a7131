using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Bookstore.Hosting.Orchestration;
using Bookstore.Hosting.Telemetry.Otlp;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Bookstore.Hosting.Telemetry;

/// <summary>
/// OTLP receivers inside the AppHost, on Kestrel: OTLP/gRPC (trace, logs and metrics export services) on an
/// HTTP/2-only endpoint, and OTLP/HTTP with protobuf bodies (/v1/traces, /v1/logs, /v1/metrics) on another.
/// Every export must carry <c>x-otlp-api-key</c> with the key generated for this run (else Unauthenticated / 401);
/// a malformed body gets InvalidArgument / 400 and the receiver keeps running.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    public const string ApiKeyHeader = "x-otlp-api-key";

    private readonly TelemetryStore _store;
    private readonly ApiKey _apiKey;
    private WebApplication? _app;

    private OtlpReceiver(TelemetryStore store, ApiKey apiKey, Uri grpcEndpoint, Uri httpEndpoint)
    {
        _store = store;
        _apiKey = apiKey;
        Key = apiKey.Value;
        GrpcEndpoint = grpcEndpoint;
        HttpEndpoint = httpEndpoint;
    }

    public string Key { get; }

    public Uri GrpcEndpoint { get; }

    public Uri HttpEndpoint { get; }

    /// <summary>
    /// Picks the key and the two ports, so that the processes' environment is known before the receivers run
    /// (the app's processes start meanwhile: their first export comes a second later).
    /// </summary>
    public static OtlpReceiver Create(TelemetryStore store)
    {
        var apiKey = new ApiKey(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        using var grpcPort = PortAllocator.Reserve();
        using var httpPort = PortAllocator.Reserve();
        return new OtlpReceiver(store, apiKey,
            new Uri($"http://127.0.0.1:{PortAllocator.PortOf(grpcPort)}"), new Uri($"http://127.0.0.1:{PortAllocator.PortOf(httpPort)}"));
    }

    /// <summary>Starts the receivers on a thread-pool thread (building them is CPU work the caller need not wait for).</summary>
    public Task StartAsync(CancellationToken cancellationToken) => Task.Run(async () =>
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, GrpcEndpoint.Port, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, HttpEndpoint.Port, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
        });
        var app = builder.Build();
        // OTLP/gRPC by hand (unary calls: one length-prefixed message each way, the status in trailers), so that a
        // malformed message is ours to answer with InvalidArgument rather than the framework's UNKNOWN.
        MapSignal(app, "trace.v1.TraceService", "/v1/traces", ExportTraceServiceRequest.Parser, _store.Add, new ExportTraceServiceResponse());
        MapSignal(app, "logs.v1.LogsService", "/v1/logs", ExportLogsServiceRequest.Parser, _store.Add, new ExportLogsServiceResponse());
        MapSignal(app, "metrics.v1.MetricsService", "/v1/metrics", ExportMetricsServiceRequest.Parser, _store.Add, new ExportMetricsServiceResponse());
        _app = app;
        await app.StartAsync(cancellationToken);
    }, cancellationToken);

    /// <summary>What every process gets so that its OpenTelemetry SDK exports here, as Aspire sets it.</summary>
    public Dictionary<string, string> EnvironmentFor(string environmentName)
    {
        var variables = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = GrpcEndpoint.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = $"{ApiKeyHeader}={Key}",
        };
        if (environmentName == "Development")
        {
            // Data shows up within about a second, as under Aspire.
            variables["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
            variables["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
            variables["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
        }

        return variables;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>One signal on both transports: OTLP/gRPC's Export method and OTLP/HTTP's path.</summary>
    private void MapSignal<T>(WebApplication app, string grpcService, string httpPath, MessageParser<T> parser, Action<T> add, IMessage response)
        where T : IMessage<T>
    {
        app.MapPost($"/opentelemetry.proto.collector.{grpcService}/Export", (Func<HttpContext, Task>)(context =>
            ReceiveGrpcAsync(context, _apiKey, parser, add, response)));
        app.MapPost(httpPath, (Func<HttpContext, Task<IResult>>)(context => ReceiveAsync(context, _apiKey, parser, add, response)));
    }

    private static async Task<IResult> ReceiveAsync<T>(HttpContext context, ApiKey apiKey, MessageParser<T> parser, Action<T> add, IMessage response)
        where T : IMessage<T>
    {
        if (!apiKey.Matches(context.Request.Headers[ApiKeyHeader]))
        {
            return Results.Text($"Missing or wrong {ApiKeyHeader} header.", statusCode: StatusCodes.Status401Unauthorized);
        }

        if (context.Request.ContentType?.StartsWith("application/x-protobuf", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Results.Text("OTLP/HTTP bodies must be protobuf (Content-Type: application/x-protobuf).", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        T message;
        try
        {
            message = parser.ParseFrom(body.GetBuffer().AsSpan(0, (int)body.Length));
        }
        catch (InvalidProtocolBufferException exception)
        {
            return Results.Text($"Malformed OTLP payload: {exception.Message}", statusCode: StatusCodes.Status400BadRequest);
        }

        add(message);
        return Results.Bytes(response.ToByteArray(), "application/x-protobuf");
    }

    private static async Task ReceiveGrpcAsync<T>(HttpContext context, ApiKey apiKey, MessageParser<T> parser, Action<T> add, IMessage response)
        where T : IMessage<T>
    {
        context.Response.ContentType = "application/grpc";
        if (!apiKey.Matches(context.Request.Headers[ApiKeyHeader]))
        {
            Status(context, StatusCode.Unauthenticated, $"Missing or wrong {ApiKeyHeader} header.");
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var frame = body.GetBuffer().AsMemory(0, (int)body.Length);
        if (frame.Length < 5 || frame.Span[0] != 0 || BinaryPrimitives.ReadUInt32BigEndian(frame.Span[1..5]) != frame.Length - 5)
        {
            Status(context, StatusCode.InvalidArgument, "Expected one uncompressed, length-prefixed OTLP message.");
            return;
        }

        T message;
        try
        {
            message = parser.ParseFrom(frame.Span[5..]);
        }
        catch (InvalidProtocolBufferException exception)
        {
            Status(context, StatusCode.InvalidArgument, $"Malformed OTLP payload: {exception.Message}");
            return;
        }

        add(message);
        var reply = response.ToByteArray();
        var header = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), (uint)reply.Length);
        await context.Response.Body.WriteAsync(header, context.RequestAborted);
        await context.Response.Body.WriteAsync(reply, context.RequestAborted);
        Status(context, StatusCode.OK, null);
    }

    private static void Status(HttpContext context, StatusCode code, string? message)
    {
        context.Response.AppendTrailer("grpc-status", ((int)code).ToString(CultureInfo.InvariantCulture));
        if (message is not null)
        {
            context.Response.AppendTrailer("grpc-message", Uri.EscapeDataString(message));
        }
    }

    public sealed class ApiKey(string value)
    {
        private readonly byte[] _bytes = Encoding.ASCII.GetBytes(value);

        public string Value { get; } = value;

        public bool Matches(string? candidate) =>
            candidate is not null && CryptographicOperations.FixedTimeEquals(_bytes, Encoding.ASCII.GetBytes(candidate));
    }
}
