using Aspire.Hosting.Eventing;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bookstore.AppHost.Extensions;

public static partial class ConsoleReportExtensions
{
    /// <summary>How many of a resource's last console lines a crash report shows.</summary>
    public const int LastLines = 10;

    /// <summary>
    /// Console lines a person can use. Aspire prints only the dashboard's login URL; with this, once every resource is
    /// ready (Aspire's <see cref="ResourceReadyEvent"/>: running and healthy) the AppHost also prints one line per external
    /// endpoint (<c>marketplace http://localhost:5190</c>) and the time since the AppHost started, and when a resource's
    /// process exits while the app runs, its name, exit code and last console lines.
    /// </summary>
    public static IDistributedApplicationBuilder AddConsoleReport(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        builder.Eventing.Subscribe<BeforeStartEvent>((start, cancellationToken) =>
        {
            var resources = VisibleResources(start.Model);
            var logger = start.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Bookstore.AppHost");
            WhenAllReady(builder.Eventing, resources, () => ReportEndpoints(logger, resources));

            var stopping = start.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = ReportExitsAsync(logger, start.Services, resources, stopping);
            return Task.CompletedTask;
        });
        return builder;
    }

    private static void ReportEndpoints(ILogger logger, IReadOnlyList<IResource> resources)
    {
        foreach (var resource in resources.OfType<IResourceWithEndpoints>())
        {
            foreach (var endpoint in resource.GetEndpoints().Where(endpoint => endpoint.EndpointAnnotation.IsExternal && endpoint.IsAllocated))
            {
                LogEndpoint(logger, resource.Name, endpoint.Url);
            }
        }

        using var process = Process.GetCurrentProcess();
        var elapsed = (long)(DateTime.Now - process.StartTime).TotalMilliseconds;
        LogReady(logger, elapsed);
    }

    /// <summary>Follows Aspire's resource notifications; a replica whose process ends while the app runs is reported once.</summary>
    private static async Task ReportExitsAsync(ILogger logger, IServiceProvider services, IReadOnlyList<IResource> resources, CancellationToken stopping)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        var logs = services.GetRequiredService<ResourceLoggerService>();
        var lastState = new Dictionary<string, string?>(StringComparer.Ordinal);
        try
        {
            await foreach (var change in notifications.WatchAsync(stopping))
            {
                var state = change.Snapshot.State?.Text;
                var wasEnded = lastState.TryGetValue(change.ResourceId, out var previous) && IsEnded(previous);
                lastState[change.ResourceId] = state;
                if (!resources.Contains(change.Resource) || !IsEnded(state) || wasEnded || previous is null || stopping.IsCancellationRequested)
                {
                    continue;
                }

                var lines = new List<string>();
                await foreach (var batch in logs.GetAllAsync(change.ResourceId).WithCancellation(stopping))
                {
                    lines.AddRange(batch.Select(line => AnsiEscape().Replace(line.Content, "")));
                }

                var tail = lines.Count > LastLines ? lines[^LastLines..] : lines;
                LogEnded(
                    logger, change.Resource.Name, change.ResourceId, state == KnownResourceStates.FailedToStart ? "failed to start" : "exited",
                    change.Snapshot.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown", tail.Count,
                    string.Join('\n', tail.Select(line => "  | " + line)));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Processes and containers a person sees in the dashboard (not the hidden helpers, such as a project's rebuilder).</summary>
    internal static List<IResource> VisibleResources(DistributedApplicationModel model) =>
        [.. model.Resources
            .Where(resource => resource is ProjectResource or ExecutableResource or ContainerResource)
            .Where(resource => !resource.TryGetLastAnnotation<HiddenAnnotation>(out var hidden) || hidden.Behavior != HiddenBehavior.Always)];

    /// <summary>
    /// Calls <paramref name="allReady"/> once, when every one of <paramref name="resources"/> has had Aspire's
    /// <see cref="ResourceReadyEvent"/> (running and healthy). Subscribe from <see cref="BeforeStartEvent"/>.
    /// </summary>
    internal static void WhenAllReady(IDistributedApplicationEventing eventing, IReadOnlyCollection<IResource> resources, Action allReady)
    {
        var waiting = resources.Select(resource => resource.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var resource in resources)
        {
            eventing.Subscribe<ResourceReadyEvent>(resource, (ready, _) =>
            {
                bool last;
                lock (waiting)
                {
                    last = waiting.Remove(ready.Resource.Name) && waiting.Count == 0;
                }

                if (last)
                {
                    allReady();
                }

                return Task.CompletedTask;
            });
        }
    }

    internal static bool IsEnded(string? state) =>
        state == KnownResourceStates.Exited || state == KnownResourceStates.Finished || state == KnownResourceStates.FailedToStart;

    // The services color their console output (DCP lets them): the report is plain text.
    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex AnsiEscape();

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Resource} {Url}")]
    private static partial void LogEndpoint(ILogger logger, string resource, string url);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Every resource is ready, {Elapsed} ms after the AppHost started. Press Ctrl+C to stop.")]
    private static partial void LogReady(ILogger logger, long elapsed);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "{Resource} ({ResourceId}) {State} with exit code {ExitCode}. Its last {Count} lines:\n{Lines}")]
    private static partial void LogEnded(ILogger logger, string resource, string resourceId, string state, string exitCode, int count, string lines);
}
