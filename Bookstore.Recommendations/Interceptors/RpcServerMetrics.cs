using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;

namespace Bookstore.Recommendations.Interceptors;

/// <summary>
/// Server-side RPC instruments, named and tagged after OpenTelemetry's RPC semantic conventions
/// (rpc.system, rpc.service, rpc.method, rpc.grpc.status_code).
/// </summary>
public sealed class RpcServerMetrics
{
    public const string MeterName = "Bookstore.Rpc.Server";
    public const string CallsName = "rpc.server.calls";
    public const string ErrorsName = "rpc.server.errors";
    public const string DurationName = "rpc.server.call.duration";

    private readonly Counter<long> _calls;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _duration;

    public RpcServerMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _calls = meter.CreateCounter<long>(CallsName, "{call}", "gRPC calls handled, by method and status code.");
        _errors = meter.CreateCounter<long>(ErrorsName, "{call}", "gRPC calls that ended with a status other than OK, by status code.");
        _duration = meter.CreateHistogram<double>(DurationName, "s", "Duration of gRPC calls handled.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
    }

    public void Record(string service, string method, StatusCode status, TimeSpan duration)
    {
        var tags = new TagList
        {
            { "rpc.system", "grpc" },
            { "rpc.service", service },
            { "rpc.method", method },
            { "rpc.grpc.status_code", (int)status },
        };
        _calls.Add(1, tags);
        if (status != StatusCode.OK)
        {
            _errors.Add(1, tags);
        }

        _duration.Record(duration.TotalSeconds, tags);
    }
}
