using System.Globalization;

namespace Bookstore.Hosting.Telemetry;

/// <summary>
/// How much telemetry the AppHost keeps (Aspire's dashboard names). Every limit bounds memory: the oldest traces,
/// log records and metric points go first; attributes, events and spans beyond their limits are dropped.
/// Set them with <c>Dashboard__TelemetryLimits__&lt;Name&gt;</c> environment variables, or in code through
/// <see cref="DistributedApplicationOptions.TelemetryLimits"/> (tests).
/// </summary>
public sealed class TelemetryLimits
{
    public const string EnvironmentPrefix = "Dashboard__TelemetryLimits__";

    public int MaxTraceCount { get; set; } = 10_000;

    public int MaxLogCount { get; set; } = 10_000;

    /// <summary>Metric points kept per resource (an export of n instruments and attribute sets adds n).</summary>
    public int MaxMetricPointsPerResource { get; set; } = 20_000;

    public int MaxSpansPerTrace { get; set; } = 1_000;

    /// <summary>Attributes kept per span, span event, log record or metric point.</summary>
    public int MaxAttributeCount { get; set; } = 128;

    /// <summary>Characters kept of an attribute value or a log message.</summary>
    public int MaxAttributeLength { get; set; } = 4_096;

    public int MaxSpanEventCount { get; set; } = 128;

    /// <summary>The defaults, overridden by <c>Dashboard__TelemetryLimits__*</c> variables; a bad value throws, naming it.</summary>
    public static TelemetryLimits FromEnvironment(Func<string, string?> variable)
    {
        var limits = new TelemetryLimits();
        limits.MaxTraceCount = Read(variable, nameof(MaxTraceCount), limits.MaxTraceCount);
        limits.MaxLogCount = Read(variable, nameof(MaxLogCount), limits.MaxLogCount);
        limits.MaxMetricPointsPerResource = Read(variable, nameof(MaxMetricPointsPerResource), limits.MaxMetricPointsPerResource);
        limits.MaxSpansPerTrace = Read(variable, nameof(MaxSpansPerTrace), limits.MaxSpansPerTrace);
        limits.MaxAttributeCount = Read(variable, nameof(MaxAttributeCount), limits.MaxAttributeCount);
        limits.MaxAttributeLength = Read(variable, nameof(MaxAttributeLength), limits.MaxAttributeLength);
        limits.MaxSpanEventCount = Read(variable, nameof(MaxSpanEventCount), limits.MaxSpanEventCount);
        return limits;
    }

    private static int Read(Func<string, string?> variable, string name, int fallback)
    {
        var text = variable(EnvironmentPrefix + name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new DistributedApplicationException($"{EnvironmentPrefix}{name} must be a whole number above 0 (got '{text}'); the default is {fallback}.");
    }
}
