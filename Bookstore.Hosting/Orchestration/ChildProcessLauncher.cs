using System.Collections.Concurrent;
using System.Diagnostics;

namespace Bookstore.Hosting.Orchestration;

/// <summary>
/// Starts child processes so that they die with the AppHost, even when it is SIGKILLed: each child runs under
/// util-linux <c>setpriv --pdeathsig TERM</c>, so the kernel sends it SIGTERM when its parent goes away.
/// The kernel ties that to the parent *thread* that forked, so every fork happens on one dedicated thread that
/// lives as long as the process (a thread-pool thread could retire and take the children with it).
/// </summary>
internal static class ChildProcessLauncher
{
    private const string SetPriv = "/usr/bin/setpriv";

    private static readonly BlockingCollection<(ProcessStartInfo Start, TaskCompletionSource<Process> Started)> Requests = [];

    static ChildProcessLauncher()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "Bookstore child process launcher" };
        thread.Start();
    }

    public static bool DiesWithParent { get; } = File.Exists(SetPriv);

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/>; output is redirected, not yet read.</summary>
    public static Task<Process> StartAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, IDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(DiesWithParent ? SetPriv : fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (DiesWithParent)
        {
            foreach (var argument in new[] { "--pdeathsig", "TERM", "--", fileName })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((start, started));
        return started.Task;
    }

    private static void Run()
    {
        foreach (var (start, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start."));
            }
            catch (Exception exception)
            {
                started.SetException(exception);
            }
        }
    }
}
