using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Bookstore.Hosting.ApplicationModel;

namespace Bookstore.Hosting.Orchestration;

/// <summary>One replica of a project resource: its process, its state, its health, its console output.</summary>
internal sealed partial class ReplicaRunner : IAsyncDisposable
{
    private const int SigTerm = 15;
    // A starting process is probed often (a refused connection costs next to nothing), so that what waits for it
    // starts as soon as it is healthy; an unhealthy one less often; a healthy one once a second.
    private static readonly TimeSpan ProbeIntervalWhileStarting = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan ProbeIntervalWhileUnhealthy = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan ProbeIntervalWhileHealthy = TimeSpan.FromSeconds(1);

    private readonly object _gate = new();
    private readonly Func<ReplicaRunner, IDictionary<string, string>> _environment;
    private readonly HttpClient _probe;
    private readonly Dictionary<string, Socket> _reservations;
    private Process? _process;
    private Task _exited = Task.CompletedTask;
    private bool _stopRequested;
    private int _starts;
    private TaskCompletionSource _stateChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ReplicaRunner(ProjectResource resource, int index, Func<ReplicaRunner, IDictionary<string, string>> environment)
    {
        Resource = resource;
        Index = index;
        Id = $"{resource.Name}-{index}";
        _environment = environment;
        _reservations = resource.Endpoints().Where(endpoint => endpoint.Port is null).ToDictionary(endpoint => endpoint.Name, _ => PortAllocator.Reserve());
        Endpoints = resource.Endpoints().ToDictionary(
            endpoint => endpoint.Name,
            endpoint => new Uri($"{endpoint.Scheme}://127.0.0.1:{endpoint.Port ?? PortAllocator.PortOf(_reservations[endpoint.Name])}"));
        _probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
    }

    public ProjectResource Resource { get; }

    public int Index { get; }

    public string Id { get; }

    public IReadOnlyDictionary<string, Uri> Endpoints { get; }

    public LogBuffer Logs { get; } = new();

    public ReplicaState State { get; private set; } = ReplicaState.Waiting;

    /// <summary>Completes at the next change of <see cref="State"/>.</summary>
    public Task StateChanged
    {
        get
        {
            lock (_gate)
            {
                return _stateChanged.Task;
            }
        }
    }

    public int? ExitCode { get; private set; }

    public DateTimeOffset? StartedAt { get; private set; }

    public ReplicaSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new ReplicaSnapshot(Resource.Name, Index, Id, State, _process is not null && !_exited.IsCompleted ? _process.Id : null,
                ExitCode, StartedAt, Math.Max(0, _starts - 1), Endpoints, Logs.Total);
        }
    }

    public async Task StartAsync(TextWriter output)
    {
        lock (_gate)
        {
            if (State is ReplicaState.Starting or ReplicaState.Running or ReplicaState.Healthy or ReplicaState.Unhealthy)
            {
                return;
            }

            _stopRequested = false;
            ExitCode = null;
            _starts++;
        }

        SetState(ReplicaState.Starting);
        if (!File.Exists(Resource.AssemblyPath))
        {
            Logs.Add($"{Resource.AssemblyPath} does not exist: build the solution first (dotnet build).", isError: true);
            SetState(ReplicaState.FailedToStart);
            return;
        }

        var environment = _environment(this);
        ReleaseReservations();
        Process process;
        try
        {
            process = await ChildProcessLauncher.StartAsync(
                Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [Resource.AssemblyPath], Resource.ProjectDirectory, environment);
        }
        catch (Exception exception)
        {
            Logs.Add($"Could not start: {exception.Message}", isError: true);
            SetState(ReplicaState.FailedToStart);
            return;
        }

        process.OutputDataReceived += (_, line) => { if (line.Data is not null) { Logs.Add(line.Data, isError: false); } };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { Logs.Add(line.Data, isError: true); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var lifetime = new CancellationTokenSource();
        lock (_gate)
        {
            _process?.Dispose();
            _process = process;
            _exited = WatchExitAsync(process, lifetime, output);
            StartedAt = DateTimeOffset.UtcNow;
        }

        SetState(ReplicaState.Running);
        _ = ProbeHealthAsync(lifetime.Token);
    }

    /// <summary>The process's next exit is not reported as unexpected (the whole app is stopping).</summary>
    public void ExpectExit()
    {
        lock (_gate)
        {
            _stopRequested = true;
        }
    }

    /// <summary>SIGTERM, then SIGKILL if the process has not exited within <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        Process? process;
        lock (_gate)
        {
            _stopRequested = true;
            process = _process;
        }

        if (process is null || _exited.IsCompleted)
        {
            if (State is ReplicaState.Waiting)
            {
                SetState(ReplicaState.Exited);
            }

            return;
        }

        _ = Kill(process.Id, SigTerm);
        try
        {
            await _exited.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Logs.Add($"Did not stop within {timeout.TotalSeconds:0.#} s of SIGTERM: killed.", isError: true);
            process.Kill(entireProcessTree: true);
            await _exited;
        }
    }

    /// <summary>SIGKILL: the process gets no chance to clean up, as in a crash.</summary>
    public async Task KillAsync()
    {
        Process? process;
        lock (_gate)
        {
            _stopRequested = true;
            process = _process;
        }

        if (process is not null && !_exited.IsCompleted)
        {
            process.Kill(entireProcessTree: true);
            await _exited;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        ReleaseReservations();
        _process?.Dispose();
        _probe.Dispose();
    }

    private async Task WatchExitAsync(Process process, CancellationTokenSource lifetime, TextWriter output)
    {
        // Returns once the process has exited and its output has been read to the end.
        await process.WaitForExitAsync();
        await lifetime.CancelAsync();
        bool expected;
        lock (_gate)
        {
            ExitCode = process.ExitCode;
            expected = _stopRequested;
        }

        SetState(ReplicaState.Exited);
        if (!expected)
        {
            var last = string.Join(Environment.NewLine, Logs.Last(10).Select(line => "    " + line.Text));
            await output.WriteLineAsync($"{Id} exited unexpectedly with code {process.ExitCode}. Its last lines:{Environment.NewLine}{last}");
        }
    }

    private async Task ProbeHealthAsync(CancellationToken lifetime)
    {
        var check = Resource.AnnotationsOf<HealthCheckAnnotation>().LastOrDefault();
        while (!lifetime.IsCancellationRequested)
        {
            var healthy = check is null ? await IsListeningAsync(lifetime) : await IsHealthyAsync(check, lifetime);
            if (lifetime.IsCancellationRequested)
            {
                return;
            }

            var state = State;
            if (healthy && state != ReplicaState.Healthy)
            {
                SetState(ReplicaState.Healthy);
            }
            else if (!healthy && state == ReplicaState.Healthy)
            {
                SetState(ReplicaState.Unhealthy);
            }

            try
            {
                var interval = State switch
                {
                    ReplicaState.Healthy => ProbeIntervalWhileHealthy,
                    ReplicaState.Unhealthy => ProbeIntervalWhileUnhealthy,
                    _ => ProbeIntervalWhileStarting,
                };
                await Task.Delay(interval, lifetime);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<bool> IsHealthyAsync(HealthCheckAnnotation check, CancellationToken cancellationToken)
    {
        var endpoint = Resource.Endpoints().Single(endpoint => endpoint.Name == check.EndpointName);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Endpoints[endpoint.Name], check.Path));
        if (endpoint.Transport == EndpointTransport.Http2)
        {
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        try
        {
            using var response = await _probe.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Without a health check, a replica is healthy once all of its endpoints accept connections.</summary>
    private async Task<bool> IsListeningAsync(CancellationToken cancellationToken)
    {
        foreach (var url in Endpoints.Values)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, url.Port, cancellationToken);
            }
            catch (Exception exception) when (exception is SocketException or OperationCanceledException)
            {
                return false;
            }
        }

        return true;
    }

    private void SetState(ReplicaState state)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            State = state;
            changed = _stateChanged;
            _stateChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    private void ReleaseReservations()
    {
        foreach (var socket in _reservations.Values)
        {
            socket.Dispose();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
