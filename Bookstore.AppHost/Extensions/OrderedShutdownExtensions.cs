using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bookstore.AppHost.Extensions;

public static class OrderedShutdownExtensions
{
    /// <summary>How long the AppHost waits for its services to stop before it lets Aspire tear everything down.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// When the AppHost stops (Ctrl+C, SIGTERM, a test's dispose), it first stops its projects with Aspire's own Stop
    /// command, all at once, and only then lets Aspire stop DCP and the dashboard.
    /// <para>
    /// Why: Aspire stops every resource at once, the dashboard included. A service then makes its last OpenTelemetry
    /// export to an OTLP port that no longer answers, and OpenTelemetry waits for its export timeout (10 s) before the
    /// process exits; DCP gives it 6 s, then SIGKILL. Measured here: SIGTERM to the AppHost until no process was left,
    /// 14-17 s. Stopped first, each service drains, exports its last telemetry (its shutdown logs reach the dashboard)
    /// and exits 0 in about 100 ms.
    /// </para>
    /// </summary>
    public static IDistributedApplicationBuilder AddOrderedShutdown(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsRunMode)
        {
            builder.Services.AddHostedService<OrderedShutdown>();
        }

        return builder;
    }
}

/// <summary>
/// Stops the model's projects while the host is stopping, before Aspire's orchestrator stops. All at once rather than
/// dependents first: each Stop command polls DCP with growing pauses, so one after the other cost about half a second
/// more, and a page that finds Recommendations gone during those milliseconds shows its fallback anyway.
/// </summary>
internal sealed partial class OrderedShutdown(
    DistributedApplicationModel model,
    ResourceCommandService commands,
    ResourceNotificationService notifications,
    ILogger<OrderedShutdown> logger) : IHostedLifecycleService
{
    // Aspire's name for a process's id in a resource's snapshot (KnownProperties.Executable.Pid, internal to Aspire).
    private const string ExecutablePidProperty = "executable.pid";
    private static readonly TimeSpan ExitPollInterval = TimeSpan.FromMilliseconds(10);

    private int _stopping;

    // StoppingAsync runs before any hosted service's StopAsync, Aspire's orchestrator included.
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // Once: Aspire.Hosting.Testing stops the host twice when a test disposes its app (on the stop it requests, then
        // in DisposeAsync). The second round found the orchestrator stopped and a replica's state unknown, sent Stop
        // commands again to replicas already gone, and waited out the timeout: 15 s more per dispose.
        if (Interlocked.Exchange(ref _stopping, 1) == 1)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(OrderedShutdownExtensions.StopTimeout);
        try
        {
            await Task.WhenAll(model.Resources.OfType<ProjectResource>().Select(resource => StopAsync(resource, timeout.Token)));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogTimedOut(logger, OrderedShutdownExtensions.StopTimeout);
        }
    }

    private async Task StopAsync(ProjectResource resource, CancellationToken cancellationToken)
    {
        if (!IsRunning(resource))
        {
            return;
        }

        // Aspire's Stop command returns once DCP has deleted the process's object, which it checks with growing pauses:
        // about 0.3 s after the resource's state has turned Finished (measured here), and all of it delays the shutdown.
        // The state itself comes from DCP's watch of the process, up to 0.2 s after the process has exited (measured:
        // the Marketplace's process gone at 520 ms after SIGTERM, its state Finished at 710 ms). So the process's own
        // exit decides, or the state if that comes first, and the command is let go. (With replicas the state and the
        // process id are per replica: then the command alone says when all are down.)
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var command = commands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, stop.Token);
            if (resource.GetReplicaCount() == 1)
            {
                Task stopped = notifications.WaitForResourceAsync(resource.Name, KnownResourceStates.TerminalStates, stop.Token);
                if (ProcessId(resource) is { } pid)
                {
                    stopped = Task.WhenAny(stopped, WaitForExitAsync(pid, stop.Token)).Unwrap();
                }

                if (await Task.WhenAny(stopped, command) == stopped && stopped.IsCompletedSuccessfully)
                {
                    await stop.CancelAsync();
                    await command.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    return;
                }
            }

            var result = await command;
            if (!result.Success)
            {
                LogNotStopped(logger, resource.Name, result.Message);
            }
        }
        finally
        {
            await stop.CancelAsync();   // whichever wait is still pending ends here
        }
    }

    private int? ProcessId(ProjectResource resource) =>
        notifications.TryGetCurrentState(resource.Name, out var state)
            && state.Snapshot.Properties.FirstOrDefault(property => property.Name == ExecutablePidProperty)?.Value is int pid
            ? pid
            : null;

    /// <summary>
    /// Until the process has exited. It is DCP's child, not ours, so nothing signals its exit here: it is asked every
    /// 10 ms (for the few hundred milliseconds a service takes to drain and flush), on any OS the AppHost runs on.
    /// </summary>
    internal static async Task WaitForExitAsync(int pid, CancellationToken cancellationToken)
    {
        Process process;
        try
        {
            process = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return;   // already gone
        }

        using (process)
        {
            while (!process.HasExited)
            {
                await Task.Delay(ExitPollInterval, cancellationToken);
            }
        }
    }

    private bool IsRunning(ProjectResource resource) =>
        notifications.TryGetCurrentState(resource.Name, out var state)
            ? state.Snapshot.State?.Text == KnownResourceStates.Running
            : resource.GetReplicaCount() > 1;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "{Resource} did not stop on its Stop command ({Reason}); Aspire stops it with the rest")]
    private static partial void LogNotStopped(ILogger logger, string resource, string? reason);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "The services did not all stop within {Timeout}; Aspire stops the rest")]
    private static partial void LogTimedOut(ILogger logger, TimeSpan timeout);
}
