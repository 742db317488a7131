using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bookstore.AppHost.Extensions;

public static partial class ServicesPriorityExtensions
{
    /// <summary>Aspire's name for its dashboard resource (its <c>KnownResourceNames</c> is internal).</summary>
    public const string DashboardResourceName = "aspire-dashboard";

    /// <summary>The snapshot property in which Aspire shows an executable's process id (its <c>KnownProperties</c> is internal).</summary>
    public const string ProcessIdProperty = "executable.pid";

    /// <summary>
    /// The services' nice value while they start: ahead of the app's other processes (nice 0). On this machine -5, -10
    /// and -20 gave the same start-up (README, start-up); -10 is a clear lead without taking the highest priority.
    /// </summary>
    public const int StartingNice = -10;

    /// <summary>
    /// While the app starts, its services' processes come first on the CPU. Their starts are the path to the first page,
    /// and at the same moments DCP starts the dashboard (0.5-0.6 s of CPU) and a <c>monitor-process</c> of its own per
    /// process (a Go program, 0.13-0.2 s each), while the AppHost and DCP follow the new processes' logs and states: on
    /// this machine (two vCPUs) the home page came 0.1-0.25 s sooner with the services ahead of them than with only the
    /// dashboard lowered to nice 19, itself 0.2 s sooner than Aspire's equal priorities (README, start-up). Each
    /// service's process is raised once Aspire reports its id (10-70 ms after its exec here); all of them are put back
    /// at the normal priority once every resource is ready, or one has failed or exited, or the app stops. Linux only,
    /// and only when the AppHost runs as root (raising a priority needs CAP_SYS_NICE): elsewhere nothing changes.
    /// </summary>
    public static IDistributedApplicationBuilder RaiseServicesPriorityWhileStarting(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode || !OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            return builder;
        }

        builder.Eventing.Subscribe<BeforeStartEvent>((start, cancellationToken) =>
        {
            // The processes and containers a person sees (as in the console report), the dashboard aside.
            var resources = ConsoleReportExtensions.VisibleResources(start.Model).Where(resource => resource.Name != DashboardResourceName).ToList();
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ConsoleReportExtensions.WhenAllReady(builder.Eventing, resources, () => started.TrySetResult());

            var notifications = start.Services.GetRequiredService<ResourceNotificationService>();
            var logger = start.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Bookstore.AppHost");
            var stopping = start.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            var names = resources.Select(resource => resource.Name).ToHashSet(StringComparer.Ordinal);
            _ = RaiseUntilStartedAsync(notifications, names, started.Task, logger, stopping);
            return Task.CompletedTask;
        });
        return builder;
    }

    private static async Task RaiseUntilStartedAsync(
        ResourceNotificationService notifications, HashSet<string> names, Task started, ILogger logger, CancellationToken stopping)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var raised = new List<int>();
        var watching = RaiseAsTheyStartAsync(notifications, names, raised, logger, done.Token);

        // Every resource ready; or the watch ended: one of them failed or exited (its dependants then never start), or
        // the app stops.
        await Task.WhenAny(started, watching);
        await done.CancelAsync();
        await watching;
        foreach (var pid in raised)
        {
            ProcessPriority.SetNice(pid, 0);
        }

        LogRestored(logger, raised.Count);
    }

    private static async Task RaiseAsTheyStartAsync(
        ResourceNotificationService notifications, HashSet<string> names, List<int> raised, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            // Every process of every replica: each one is an instance of its resource, with a process id of its own.
            await foreach (var change in notifications.WatchAsync(cancellationToken))
            {
                if (!names.Contains(change.Resource.Name))
                {
                    continue;
                }

                if (ConsoleReportExtensions.IsEnded(change.Snapshot.State?.Text))
                {
                    return;
                }

                if (ProcessId(change) is var pid and > 0 && !raised.Contains(pid))
                {
                    ProcessPriority.SetNice(pid, StartingNice);
                    raised.Add(pid);
                    LogRaised(logger, change.ResourceId, pid, StartingNice);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    internal static int ProcessId(ResourceEvent change) =>
        change.Snapshot.Properties.FirstOrDefault(property => property.Name == ProcessIdProperty)?.Value is int pid ? pid : 0;

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "{Resource} (pid {Pid}) runs at nice {Nice} until every resource is ready")]
    private static partial void LogRaised(ILogger logger, string resource, int pid, int nice);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "The services' {Count} processes are back at nice 0")]
    private static partial void LogRestored(ILogger logger, int count);
}

/// <summary>A Linux process's nice value, set on each of its threads (<c>setpriority</c> changes one thread at a time).</summary>
public static partial class ProcessPriority
{
    private const int PrioProcess = 0;

    /// <summary>
    /// Sets the nice value of every thread the process has; a thread inherits its creator's, so the threads are listed
    /// again until a listing holds none that was not set (one begun by a thread not yet set would keep the old value).
    /// </summary>
    public static void SetNice(int pid, int nice)
    {
        var set = new HashSet<int>();
        while (ThreadIds(pid).Where(set.Add).ToList() is { Count: > 0 } added)
        {
            foreach (var tid in added)
            {
                // A thread that ended meanwhile (ESRCH) has nothing to change.
                _ = SetPriority(PrioProcess, tid, nice);
            }
        }
    }

    /// <summary>The nice value of each of the process's threads (field 19 of <c>/proc/PID/task/TID/stat</c>).</summary>
    public static IReadOnlyList<int> Nice(int pid) =>
        [.. ThreadIds(pid).Select(tid => ReadNice(pid, tid)).OfType<int>()];

    private static IEnumerable<int> ThreadIds(int pid)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (DirectoryNotFoundException)
        {
            return [];   // the process has exited
        }

        return tasks.Select(Path.GetFileName).Select(name => int.TryParse(name, out var tid) ? tid : 0).Where(tid => tid > 0);
    }

    private static int? ReadNice(int pid, int tid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/task/{tid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[16], CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is DirectoryNotFoundException or FileNotFoundException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int prio);
}
