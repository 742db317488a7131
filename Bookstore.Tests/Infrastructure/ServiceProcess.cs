using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Bookstore.Tests.Infrastructure;

/// <summary>
/// A service running as a real OS process from its build output, on a port the OS picked
/// (<c>ASPNETCORE_URLS=http://127.0.0.1:0</c>, read back from Kestrel's "Now listening on" line).
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    private const string CatalogVariable = "ConnectionStrings__catalog";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Regex _readyLine;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DirectoryInfo? _temporaryCatalog;

    private ServiceProcess(Process process, Regex readyLine)
    {
        _process = process;
        _readyLine = readyLine;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Recommendations on a SQLite catalog of its own in a new temporary folder, deleted with the process when it is
    /// disposed, unless the environment names a catalog.
    /// </summary>
    public static async Task<ServiceProcess> StartRecommendationsAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var merged = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
        if (merged.ContainsKey(CatalogVariable))
        {
            return await StartAsync("Bookstore.Recommendations", merged);
        }

        var catalog = Directory.CreateTempSubdirectory("bookstore-catalog-");
        merged[CatalogVariable] = $"Data Source={Path.Combine(catalog.FullName, "catalog.db")}";
        ServiceProcess service;
        try
        {
            service = await StartAsync("Bookstore.Recommendations", merged);
        }
        catch
        {
            catalog.Delete(recursive: true);
            throw;
        }

        service._temporaryCatalog = catalog;
        return service;
    }

    public static Task<ServiceProcess> StartMarketplaceAsync(Uri recommendations, IReadOnlyDictionary<string, string>? environment = null)
    {
        var merged = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            [$"services__recommendations__{recommendations.Scheme}__0"] = recommendations.ToString().TrimEnd('/'),
        };
        // Every test calls from 127.0.0.1: one client address as far as the rate limiter can tell. Only the tests of the
        // limiter itself (RateLimitTests) leave it on.
        merged.TryAdd("RateLimiting__Enabled", "false");
        return StartAsync("Bookstore.Marketplace", merged);
    }

    /// <summary>Starts the project's built assembly and waits for <paramref name="readyLine"/> (a regex with a "url" group).</summary>
    public static async Task<ServiceProcess> StartAsync(string project, IReadOnlyDictionary<string, string>? environment = null, Regex? readyLine = null)
    {
        var assembly = RepoPaths.ServiceAssembly(project);
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException($"{project} is not built: {assembly} is missing.", assembly);
        }

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = RepoPaths.ProjectDirectory(project),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var service = new ServiceProcess(new Process { StartInfo = start }, readyLine ?? ListeningLine());
        service._process.OutputDataReceived += (_, line) => service.Receive(line.Data);
        service._process.ErrorDataReceived += (_, line) => service.Receive(line.Data);
        service._process.Start();
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();

        try
        {
            service.BaseAddress = await service._listening.Task.WaitAsync(StartTimeout);
            return service;
        }
        catch (Exception exception)
        {
            await service.DisposeAsync();
            throw new InvalidOperationException($"{project} did not get ready within {StartTimeout}. Its output:\n{service.Output}", exception);
        }
    }

    /// <summary>Sends a signal (SIGTERM by default) to the process, as an orchestrator or Kubernetes would.</summary>
    public void Signal(int signal = SigTerm) => Signal(_process.Id, signal);

    /// <summary>Sends a signal to any process, e.g. one an AppHost started.</summary>
    public static void Signal(int processId, int signal)
    {
        if (Kill(processId, signal) != 0)
        {
            throw new InvalidOperationException($"kill({processId}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _temporaryCatalog?.Delete(recursive: true);
    }

    private void Receive(string? line)
    {
        if (line is null)
        {
            _listening.TrySetException(new InvalidOperationException("The process closed its output."));
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        var match = _readyLine.Match(line);
        if (match.Success)
        {
            _listening.TrySetResult(new Uri(match.Groups["url"].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (?<url>https?://\S+)")]
    private static partial Regex ListeningLine();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
