using System.Globalization;
using System.Net;
using System.Text;
using Bookstore.Hosting.Telemetry;

namespace Bookstore.Hosting.Dashboard;

/// <summary>The console logs, structured logs, traces and metrics pages.</summary>
internal static class TelemetryPages
{
    private static readonly string[] Levels = ["debug", "information", "warning", "error"];

    public static string Console(DistributedApplication app, string? resource, int replica)
    {
        var html = new StringBuilder("<p>");
        foreach (var item in app.Resources)
        {
            foreach (var snapshot in app.GetReplicas(item.Name))
            {
                html.Append($"<a href=\"/console?resource={E(item.Name)}&amp;replica={snapshot.Index}\">{E(snapshot.Id)}</a> ");
            }
        }

        html.Append("</p>");
        if (!string.IsNullOrEmpty(resource))
        {
            html.Append($"<h2>{E(resource)}-{replica}</h2><pre class=\"console\">");
            foreach (var line in app.GetConsoleLogs(resource, replica).TakeLast(1000))
            {
                html.Append(line.IsError ? "<span class=\"error\">" : "<span>").Append(E(line.Text)).Append("</span>\n");
            }

            html.Append("</pre>");
        }

        return html.ToString();
    }

    public static string Logs(DistributedApplication app, string? resource, string? level, string? text)
    {
        var minimum = level switch { "warning" => 13, "error" => 17, "debug" => 5, _ => 9 };
        var stored = app.Telemetry.Logs();
        var logs = stored.Where(log =>
                (string.IsNullOrEmpty(resource) || log.Resource == resource) && log.Severity >= minimum
                && (string.IsNullOrEmpty(text) || log.Message.Contains(text, StringComparison.OrdinalIgnoreCase)))
            .Reverse().Take(500);
        var html = new StringBuilder($"""
            <form method="get" action="/logs">
              <select name="resource"><option value="">all resources</option>{string.Concat(app.Resources.Select(item => $"<option{(item.Name == resource ? " selected" : "")}>{E(item.Name)}</option>"))}</select>
              <select name="level">{string.Concat(Levels.Select(name => $"<option{(name == (level ?? "information") ? " selected" : "")}>{name}</option>"))}</select>
              <input name="text" value="{E(text ?? "")}" placeholder="text" />
              <button type="submit">Filter</button>
            </form>
            <p class="count">The newest 500 matches among {stored.Count} stored log records (at most {app.Telemetry.Limits.MaxLogCount}).</p>
            <table class="logs"><thead><tr><th>Time (UTC)</th><th>Resource</th><th>Level</th><th>Category</th><th>Message</th><th>Trace</th></tr></thead><tbody>
            """);
        foreach (var log in logs)
        {
            html.Append($"<tr><td>{log.Time:HH:mm:ss.fff}</td><td>{E(log.Resource)}</td><td>{E(LevelOf(log.Severity))}</td><td>{E(log.Category)}</td><td>{E(log.Message)}</td><td>")
                .Append(log.TraceId is null ? "" : $"<a href=\"/traces/{log.TraceId}\">{log.TraceId[..8]}</a>").Append("</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    public static string Traces(DistributedApplication app)
    {
        const int Shown = 200;
        var stored = app.Telemetry.TraceCount;
        var html = new StringBuilder($"<p class=\"count\">The newest {Math.Min(Shown, stored)} of {stored} stored traces (at most {app.Telemetry.Limits.MaxTraceCount}){(app.Telemetry.Dropped > 0 ? $"; {app.Telemetry.Dropped} spans, events or attributes dropped at their limits" : "")}.</p>")
            .Append("<table class=\"traces\"><thead><tr><th>Start (UTC)</th><th>Name</th><th>Duration</th><th>Spans</th><th>Resources</th><th>Error</th></tr></thead><tbody>");
        foreach (var trace in app.Telemetry.NewestTraces(Shown))
        {
            var root = trace.FirstOrDefault(span => span.ParentSpanId is null || trace.All(other => other.SpanId != span.ParentSpanId)) ?? trace[0];
            var (start, duration) = Extent(trace);
            html.Append($"<tr data-trace=\"{root.TraceId}\"><td>{start:HH:mm:ss.fff}</td><td><a href=\"/traces/{root.TraceId}\">{E(root.Resource)}: {E(root.Name)}</a></td>")
                .Append($"<td>{duration.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms</td><td>{trace.Count}</td>")
                .Append($"<td>{E(string.Join(", ", trace.Select(span => span.Resource).Distinct().Order()))}</td><td>{(trace.Any(span => span.IsError) ? "error" : "")}</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    public static string Trace(DistributedApplication app, string traceId)
    {
        var trace = app.Telemetry.Trace(traceId);
        if (trace is null)
        {
            return $"<p class=\"error\">No trace {E(traceId)} (it may have been evicted).</p>";
        }

        var (start, duration) = Extent(trace);
        var total = Math.Max(duration.TotalMilliseconds, 0.001);
        var html = new StringBuilder($"<p>Trace {E(traceId)}: {trace.Count} spans, {duration.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms</p>");
        html.Append("<table class=\"waterfall\"><thead><tr><th>Span</th><th>Resource</th><th>Duration</th><th>Timeline</th></tr></thead><tbody>");
        foreach (var (span, depth) in Ordered(trace))
        {
            var left = (span.Start - start).TotalMilliseconds / total * 100;
            var width = Math.Max(span.Duration.TotalMilliseconds / total * 100, 0.5);
            html.Append($"<tr class=\"span{(span.IsError ? " error-span" : "")}\" data-resource=\"{E(span.Resource)}\"><td style=\"padding-left:{depth * 1.2 + 0.6}rem\">")
                .Append($"<details><summary>{E(span.Kind)} {E(span.Name)}</summary><div class=\"env\">")
                .Append(string.Concat(span.Attributes.Select(pair => $"<div>{E(pair.Key)}={E(pair.Value)}</div>")))
                .Append(string.Concat(span.Events.Select(item => $"<div>event {item.Time:HH:mm:ss.fff} {E(item.Name)}</div>")))
                .Append($"</div></details></td><td>{E(span.Resource)}</td><td>{span.Duration.TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture)} ms</td>")
                .Append($"<td><div class=\"bar\" style=\"left:{left.ToString("0.##", CultureInfo.InvariantCulture)}%;width:{width.ToString("0.##", CultureInfo.InvariantCulture)}%\"></div></td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    public static string Metrics(DistributedApplication app, string? resource)
    {
        if (string.IsNullOrEmpty(resource))
        {
            resource = app.Resources.Count > 0 ? app.Resources[0].Name : "";
        }

        var html = new StringBuilder("<p>").Append(string.Concat(app.Resources.Select(item => $"<a href=\"/metrics?resource={E(item.Name)}\">{E(item.Name)}</a> "))).Append("</p>");
        html.Append($"<h2>{E(resource)}</h2>");
        foreach (var instrument in app.Telemetry.Metrics(resource).GroupBy(point => point.Name).OrderBy(group => group.Key))
        {
            html.Append($"<div class=\"instrument\" data-instrument=\"{E(instrument.Key)}\"><h3>{E(instrument.Key)} <small>{E(instrument.First().Unit)}</small></h3>");
            var exports = instrument.GroupBy(point => point.Time).OrderBy(group => group.Key).TakeLast(121).ToList();
            if (instrument.Any(point => point.Histogram is not null))
            {
                // Cumulative histograms: the difference between two exports is what happened in between.
                var intervals = exports.Zip(exports.Skip(1), (before, after) => Interval(
                    before.Key, [.. before.Select(point => point.Histogram).OfType<HistogramBuckets>()],
                    after.Key, [.. after.Select(point => point.Histogram).OfType<HistogramBuckets>()])).ToList();
                html.Append("<div class=\"rate\">requests/s ").Append(Chart([.. intervals.Select(interval => interval.Rate)])).Append("</div>")
                    .Append("<div class=\"p50\">p50 ").Append(Chart([.. intervals.Select(interval => interval.P50)])).Append("</div>")
                    .Append("<div class=\"p99\">p99 ").Append(Chart([.. intervals.Select(interval => interval.P99)])).Append("</div>");
            }
            else
            {
                // One value per export, summed over attribute sets.
                html.Append(Chart([.. exports.Select(group => group.Sum(point => point.Value))]));
            }

            html.Append("</div>");
        }

        return html.ToString();
    }

    /// <summary>
    /// Rate, p50 and p99 between two exports of a cumulative histogram (each a list of per-attribute-set buckets):
    /// the difference of the bucket counts is what was recorded in between.
    /// </summary>
    internal static (double Rate, double P50, double P99) Interval(
        DateTimeOffset beforeTime, IReadOnlyList<HistogramBuckets> before, DateTimeOffset afterTime, IReadOnlyList<HistogramBuckets> after)
    {
        if (after.Count == 0)
        {
            return (0, 0, 0);
        }

        var bounds = after[0].Bounds;
        var counts = new double[bounds.Count + 1];
        foreach (var (sign, export) in new[] { (1, after), (-1, before) })
        {
            foreach (var histogram in export.Where(histogram => histogram.Counts.Count == counts.Length))
            {
                for (var i = 0; i < counts.Length; i++)
                {
                    counts[i] += sign * (double)histogram.Counts[i];
                }
            }
        }

        var total = Math.Max(counts.Sum(), 0);
        var seconds = Math.Max((afterTime - beforeTime).TotalSeconds, 0.001);
        return (total / seconds, Percentile(bounds, counts, total, 0.5), Percentile(bounds, counts, total, 0.99));
    }

    /// <summary>The upper bound of the bucket where the quantile falls (the last finite bound for the overflow bucket).</summary>
    private static double Percentile(IReadOnlyList<double> bounds, double[] counts, double total, double quantile)
    {
        if (total <= 0 || bounds.Count == 0)
        {
            return 0;
        }

        var seen = 0.0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += Math.Max(counts[i], 0);
            if (seen >= quantile * total)
            {
                return bounds[Math.Min(i, bounds.Count - 1)];
            }
        }

        return bounds[^1];
    }

    private static string Chart(List<double> values)
    {
        const int Width = 600;
        const int Height = 80;
        var max = values.Count == 0 ? 1 : Math.Max(values.Max(), 1e-9);
        var min = values.Count == 0 ? 0 : Math.Min(values.Min(), 0);
        var points = string.Join(' ', values.Select((value, index) =>
            string.Create(CultureInfo.InvariantCulture, $"{(values.Count == 1 ? 0 : index * Width / (values.Count - 1.0)):0.#},{Height - ((value - min) / (max - min) * Height):0.#}")));
        var latest = values.Count == 0 ? "" : values[^1].ToString("G4", CultureInfo.InvariantCulture);
        return $"<svg class=\"chart\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\"><polyline fill=\"none\" stroke=\"#486581\" stroke-width=\"2\" points=\"{points}\" /></svg> <span>latest {latest}</span>";
    }

    private static (DateTimeOffset Start, TimeSpan Duration) Extent(IReadOnlyList<TelemetrySpan> trace)
    {
        var start = trace.Min(span => span.Start);
        return (start, trace.Max(span => span.Start + span.Duration) - start);
    }

    /// <summary>Spans depth first from the roots, children by start time.</summary>
    private static IEnumerable<(TelemetrySpan Span, int Depth)> Ordered(IReadOnlyList<TelemetrySpan> trace)
    {
        var ids = trace.Select(span => span.SpanId).ToHashSet();
        IEnumerable<(TelemetrySpan, int)> Walk(TelemetrySpan span, int depth) =>
            new[] { (span, depth) }.Concat(trace.Where(child => child.ParentSpanId == span.SpanId).OrderBy(child => child.Start).SelectMany(child => Walk(child, depth + 1)));
        return trace.Where(span => span.ParentSpanId is null || !ids.Contains(span.ParentSpanId)).OrderBy(span => span.Start).SelectMany(root => Walk(root, 0));
    }

    private static string LevelOf(int severity) => severity switch
    {
        >= 21 => "Critical",
        >= 17 => "Error",
        >= 13 => "Warning",
        >= 9 => "Information",
        >= 5 => "Debug",
        _ => "Trace",
    };

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
