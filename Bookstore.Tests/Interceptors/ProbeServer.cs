using System.Diagnostics.Metrics;
using Bookstore.Recommendations.Interceptors;
using Bookstore.Tests.Infrastructure;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bookstore.Tests.Interceptors;

/// <summary>
/// The probe service behind the real interceptors, on a real loopback port: the "dummy client" idea of
/// Python's grpc-interceptor, with a real server instead of a mock context.
/// </summary>
public sealed class ProbeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;

    private ProbeServer(WebApplication app, CollectingLoggerProvider logs)
    {
        _app = app;
        Logs = logs;
        Metrics = new MetricRecorder(app.Services.GetRequiredService<IMeterFactory>(), RpcServerMetrics.MeterName);
        _channel = Http2.CreateChannel(new Uri(app.Urls.Single()));
        Client = new Probe.ProbeClient(_channel);
    }

    public Probe.ProbeClient Client { get; }

    public CollectingLoggerProvider Logs { get; }

    public MetricRecorder Metrics { get; }

    public static async Task<ProbeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        var logs = new CollectingLoggerProvider();
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddGrpcCallInterceptors();
        builder.Services.AddGrpc(options => options.AddCallInterceptors());

        var app = builder.Build();
        app.MapGrpcService<ProbeService>();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new ProbeServer(app, logs);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        Metrics.Dispose();
        await _app.DisposeAsync();
    }
}
