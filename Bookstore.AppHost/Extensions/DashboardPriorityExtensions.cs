using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bookstore.AppHost.Extensions;

public static partial class DashboardPriorityExtensions
{
    /// <summary>Aspire's name for its dashboard resource (its <c>KnownResourceNames</c> is internal).</summary>
    public const string DashboardResourceName = "aspire-dashboard";

    /// <summary>The snapshot property in which Aspire shows an executable's process id (its <c>KnownProperties</c> is internal).</summary>
    public const string ProcessIdProperty = "executable.pid";

    /// <summary>The dashboard's nice value while the services start: the lowest priority, CPU only when a core is idle.</summary>
    public const int StartingNice = 19;

    /// <summary>
    /// While the app starts, the dashboard yields the CPU to the services it reports on. DCP starts the dashboard at the
    /// same moment as the first service, and its own start (0.5-0.6 s of CPU) competes with that service's on a small
    /// machine: on this one (two vCPUs) the home page came about 0.2 s sooner with the dashboard at nice 19 (README,
    /// start-up). Once every resource is ready, or one has failed or exited, or the app stops, the dashboard is put back
    /// at the normal priority. Linux only, and only where the AppHost may raise a priority again (root): elsewhere the
    /// dashboard keeps Aspire's default, rather than stay at the lowest priority for the whole session.
    /// </summary>
    public static IDistributedApplicationBuilder LowerDashboardPriorityWhileStarting(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode || !OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            return builder;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = new HashSet<string>(StringComparer.Ordinal);
        builder.Eventing.Subscribe<BeforeStartEvent>((start, cancellationToken) =>
        {
            // The processes and containers a person sees (as in the console report), the dashboard aside.
            var resources = ConsoleReportExtensions.VisibleResources(start.Model).Where(resource => resource.Name != DashboardResourceName).ToList();
            lock (waiting)
            {
                waiting.UnionWith(resources.Select(resource => resource.Name));
            }

            foreach (var resource in resources)
            {
                builder.Eventing.Subscribe<ResourceReadyEvent>(resource, (ready, _) =>
                {
                    lock (waiting)
                    {
                        if (waiting.Remove(ready.Resource.Name) && waiting.Count == 0)
                        {
                            started.TrySetResult();
                        }
                    }

                    return Task.CompletedTask;
                });
            }

            var notifications = start.Services.GetRequiredService<ResourceNotificationService>();
            var logger = start.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Bookstore.AppHost");
            var stopping = start.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = LowerUntilStartedAsync(notifications, resources, started.Task, logger, stopping);
            return Task.CompletedTask;
        });
        return builder;
    }

    private static async Task LowerUntilStartedAsync(
        ResourceNotificationService notifications, List<IResource> resources, Task started, ILogger logger, CancellationToken stopping)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        try
        {
            var dashboard = notifications.WaitForResourceAsync(DashboardResourceName, change => ProcessId(change) > 0, done.Token);
            if (await Task.WhenAny(dashboard, started) != dashboard || !dashboard.IsCompletedSuccessfully)
            {
                return;   // every resource was ready before the dashboard's process was known: nothing to yield to
            }

            var pid = ProcessId(dashboard.Result);
            ProcessPriority.SetNice(pid, StartingNice);
            LogLowered(logger, pid, StartingNice);

            // Ready, or one of them failed or exited (its dependants then never start), or the app stops.
            var ended = resources.Select(resource => notifications.WaitForResourceAsync(
                resource.Name, change => ConsoleReportExtensions.IsEnded(change.Snapshot.State?.Text), done.Token));
            await Task.WhenAny(ended.Append(started).Append(Task.Delay(Timeout.Infinite, done.Token)));
            ProcessPriority.SetNice(pid, 0);
            LogRestored(logger, pid);
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
        }
        finally
        {
            await done.CancelAsync();
        }
    }

    internal static int ProcessId(ResourceEvent change) =>
        change.Snapshot.Properties.FirstOrDefault(property => property.Name == ProcessIdProperty)?.Value is int pid ? pid : 0;

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "The dashboard (pid {Pid}) runs at nice {Nice} until every resource is ready")]
    private static partial void LogLowered(ILogger logger, int pid, int nice);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "The dashboard (pid {Pid}) is back at nice 0")]
    private static partial void LogRestored(ILogger logger, int pid);
}

/// <summary>A Linux process's nice value, set on each of its threads (<c>setpriority</c> changes one thread at a time).</summary>
public static partial class ProcessPriority
{
    private const int PrioProcess = 0;

    /// <summary>Sets the nice value of every thread the process has now; threads it starts later inherit their creator's.</summary>
    public static void SetNice(int pid, int nice)
    {
        foreach (var tid in ThreadIds(pid))
        {
            // A thread that ended meanwhile (ESRCH) has nothing to change.
            _ = SetPriority(PrioProcess, tid, nice);
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
