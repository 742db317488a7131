using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using Bookstore.Hosting.ApplicationModel;
using Bookstore.Hosting.Dashboard;
using Bookstore.Hosting.Orchestration;
using Bookstore.Hosting.Publishing;
using Bookstore.Hosting.Telemetry;
using Bookstore.Hosting.Testing;

namespace Bookstore.Hosting;

/// <summary>A built app model, ready to run: the AppHost runs it until Ctrl+C or SIGTERM, tests start and dispose it.</summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private static int _modelErrorsEndTheProcess;
    private readonly Orchestrator _orchestrator;
    private OtlpReceiver? _receiver;
    private DashboardServer? _dashboard;
    private int _disposed;

    internal DistributedApplication(IReadOnlyList<IResource> resources, DistributedApplicationOptions options)
    {
        Resources = resources;
        Options = options;
        Telemetry = new TelemetryStore(options.TelemetryLimits);
        _orchestrator = new Orchestrator(resources, options);
    }

    public IReadOnlyList<IResource> Resources { get; }

    public DistributedApplicationOptions Options { get; }

    /// <summary>Traces, structured logs and metrics the resources exported to the AppHost's OTLP receivers.</summary>
    public TelemetryStore Telemetry { get; }

    public static IDistributedApplicationBuilder CreateBuilder(string[] args)
    {
        if (TestingCapture.CreateBuilder(args) is { } testing)
        {
            return testing;
        }

        if (Interlocked.Exchange(ref _modelErrorsEndTheProcess, 1) == 0)
        {
            // A bad model ends the AppHost with its message and exit code 2, not with a stack trace.
            AppDomain.CurrentDomain.UnhandledException += (_, e) =>
            {
                if (e.ExceptionObject is DistributedApplicationException exception)
                {
                    Console.Error.WriteLine($"error: {exception.Message}");
                    Environment.Exit(2);
                }
            };
        }

        return new DistributedApplicationBuilder(new DistributedApplicationOptions
        {
            Args = args,
            Output = Console.Out,
            TelemetryLimits = TelemetryLimits.FromEnvironment(Environment.GetEnvironmentVariable),
        });
    }

    /// <summary>Starts every resource, and beside them the OTLP receivers and the dashboard; returns once all are up and healthy.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        // The receivers and the dashboard come up while the first processes start: they need no one, and no process
        // needs them before its first export, a second after it starts. Only their ports and key are needed first (for
        // the processes' environment); the first process is on its way before their servers take the CPU.
        OtlpReceiver? newReceiver = null;
        if (Options.CaptureTelemetry && _receiver is null)
        {
            _receiver = newReceiver = OtlpReceiver.Create(Telemetry);
            _orchestrator.TelemetryEnvironment = _receiver.EnvironmentFor(Options.EnvironmentName);
        }

        var starting = new List<Task> { _orchestrator.StartAsync(cancellationToken) };
        if (newReceiver is not null)
        {
            starting.Add(newReceiver.StartAsync(cancellationToken));
        }

        if (Options.DashboardPort is { } port && _dashboard is null)
        {
            starting.Add(Task.Run(async () =>
            {
                _dashboard = await DashboardServer.StartAsync(this, port, cancellationToken);
                await Options.Output.WriteLineAsync($"Dashboard: {_dashboard.LoginUrl}");
            }, cancellationToken));
        }

        await Task.WhenAll(starting);
    }

    /// <summary>Stops every resource, dependents first.</summary>
    public Task StopAsync() => _orchestrator.StopAsync();

    /// <summary>
    /// Runs the app; or, with <c>--publisher manifest --output-path FILE</c> among the AppHost's arguments,
    /// writes the model as an Aspire manifest instead.
    /// </summary>
    public void Run()
    {
        switch (PublishRequest.Parse(Options.Args))
        {
            case { Kind: PublishKind.Manifest } manifest:
                ManifestPublisher.Write(Resources, manifest.OutputPath);
                Options.Output.WriteLine($"Wrote the Aspire manifest to {Path.GetFullPath(manifest.OutputPath)}");
                return;
            case { Kind: PublishKind.Generate } generate:
                var manifestPath = Path.Combine(generate.OutputPath, "aspire-manifest.json");
                ManifestPublisher.Write(Resources, manifestPath);
                DeploymentGenerator.Write(manifestPath, generate.OutputPath);
                Options.Output.WriteLine($"Wrote Kustomize and Compose manifests to {Path.GetFullPath(generate.OutputPath)}");
                return;
        }

        RunAsync().GetAwaiter().GetResult();
    }

    /// <summary>Starts the app, prints its external endpoints, and runs until Ctrl+C or SIGTERM; then stops it all.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var cancelled = cancellationToken.Register(() => stop.TrySetResult());
        var output = Options.Output;

        try
        {
            await StartAsync(cancellationToken);
            foreach (var resource in Resources)
            {
                foreach (var endpoint in resource.Endpoints().Where(endpoint => endpoint.IsExternal))
                {
                    await output.WriteLineAsync($"{resource.Name} {GetEndpoint(resource.Name, endpoint.Name).ToString().TrimEnd('/')}");
                }
            }

            var elapsed = DateTime.Now - Process.GetCurrentProcess().StartTime;
            await output.WriteLineAsync($"Started in {elapsed.TotalMilliseconds:0} ms. Press Ctrl+C to stop.");
            await stop.Task;
            await output.WriteLineAsync("Stopping...");
        }
        catch (DistributedApplicationException exception)
        {
            await Console.Error.WriteLineAsync($"error: {exception.Message}");
            Environment.ExitCode = 1;
        }
        finally
        {
            await DisposeAsync();
        }

        await output.WriteLineAsync("Stopped.");
    }

    /// <summary>The URL of one endpoint of one replica (by default the first replica's "http" endpoint).</summary>
    public Uri GetEndpoint(string resourceName, string endpointName = "http", int replica = 0)
    {
        var replicas = _orchestrator.ReplicasOf(resourceName);
        if (replica < 0 || replica >= replicas.Count)
        {
            throw new DistributedApplicationException($"Resource '{resourceName}' has {replicas.Count} replicas; there is no replica {replica}.");
        }

        return replicas[replica].Endpoints.TryGetValue(endpointName, out var url)
            ? url
            : throw new DistributedApplicationException($"Resource '{resourceName}' has no endpoint named '{endpointName}'.");
    }

    /// <summary>The OTLP/HTTP receiver's base address (POST /v1/traces, /v1/logs, /v1/metrics); the app must be started.</summary>
    public Uri GetOtlpHttpEndpoint() => Receiver.HttpEndpoint;

    /// <summary>The key every OTLP export must carry in x-otlp-api-key; generated per run.</summary>
    public string GetOtlpApiKey() => Receiver.Key;

    /// <summary>An HttpClient for the resource's endpoint; HTTP/2 only when the endpoint is h2c.</summary>
    public HttpClient CreateHttpClient(string resourceName, string endpointName = "http")
    {
        var client = new HttpClient { BaseAddress = GetEndpoint(resourceName, endpointName) };
        var resource = _orchestrator.ReplicasOf(resourceName)[0].Resource;
        if (resource.Endpoints().Single(endpoint => endpoint.Name == endpointName).Transport == EndpointTransport.Http2)
        {
            client.DefaultRequestVersion = HttpVersion.Version20;
            client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        return client;
    }

    public async Task WaitForResourceHealthyAsync(string resourceName, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout ?? Options.StartTimeout);
        await _orchestrator.WaitForHealthyAsync(resourceName, limit.Token);
    }

    /// <summary>The dashboard's login URL (with its token), once started; null without a dashboard.</summary>
    public Uri? DashboardLoginUrl => _dashboard?.LoginUrl;

    /// <summary>The environment the resource's first replica gets.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentOf(string resourceName) => _orchestrator.EnvironmentOf(resourceName);

    public IReadOnlyList<ReplicaSnapshot> GetReplicas(string resourceName) =>
        [.. _orchestrator.ReplicasOf(resourceName).Select(replica => replica.Snapshot())];

    /// <summary>What a replica printed (stdout and stderr), the last lines first evicted when the buffer is full.</summary>
    public IReadOnlyList<LogLine> GetConsoleLogs(string resourceName, int replica = 0) =>
        ReplicaAt(resourceName, replica).Logs.Snapshot();

    /// <summary>SIGTERM, then SIGKILL after the stop timeout: one replica, or all of them.</summary>
    public Task StopResourceAsync(string resourceName, int? replica = null) =>
        ForEach(resourceName, replica, runner => runner.StopAsync(Options.StopTimeout));

    /// <summary>SIGKILL, as a crash would: one replica, or all of them.</summary>
    public Task KillResourceAsync(string resourceName, int? replica = null) =>
        ForEach(resourceName, replica, runner => runner.KillAsync());

    /// <summary>Starts stopped replicas again, on the same ports, so that the services that reference them find them.</summary>
    public Task StartResourceAsync(string resourceName, int? replica = null) =>
        ForEach(resourceName, replica, runner => runner.StartAsync(Options.Output));

    public async Task RestartResourceAsync(string resourceName, int? replica = null)
    {
        await StopResourceAsync(resourceName, replica);
        await StartResourceAsync(resourceName, replica);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _orchestrator.DisposeAsync();
            if (_dashboard is not null)
            {
                await _dashboard.DisposeAsync();
            }

            if (_receiver is not null)
            {
                await _receiver.DisposeAsync();
            }
        }
    }

    private OtlpReceiver Receiver =>
        _receiver ?? throw new DistributedApplicationException("The OTLP receivers run only once the app is started with CaptureTelemetry on.");

    private ReplicaRunner ReplicaAt(string resourceName, int replica)
    {
        var replicas = _orchestrator.ReplicasOf(resourceName);
        return replica >= 0 && replica < replicas.Count
            ? replicas[replica]
            : throw new DistributedApplicationException($"Resource '{resourceName}' has {replicas.Count} replicas; there is no replica {replica}.");
    }

    private Task ForEach(string resourceName, int? replica, Func<ReplicaRunner, Task> action) =>
        replica is { } index
            ? action(ReplicaAt(resourceName, index))
            : Task.WhenAll(_orchestrator.ReplicasOf(resourceName).Select(action));
}
