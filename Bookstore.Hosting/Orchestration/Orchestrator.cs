using System.Globalization;
using Bookstore.Hosting.ApplicationModel;

namespace Bookstore.Hosting.Orchestration;

/// <summary>
/// Runs an app model: every replica of every project as its own process, started once what it waits for is
/// healthy, told where its references are, and stopped in reverse dependency order. It reads the model;
/// it does not own it.
/// </summary>
internal sealed class Orchestrator : IAsyncDisposable
{
    private readonly IReadOnlyList<IResource> _resources;
    private readonly DistributedApplicationOptions _options;
    private readonly Dictionary<string, ReplicaRunner[]> _replicas;

    public Orchestrator(IReadOnlyList<IResource> resources, DistributedApplicationOptions options)
    {
        _resources = resources;
        _options = options;
        _replicas = resources.OfType<ProjectResource>().ToDictionary(
            resource => resource.Name,
            resource => Enumerable.Range(0, resource.Replicas())
                .Select(index => new ReplicaRunner(resource, index, EnvironmentFor))
                .ToArray());
    }

    /// <summary>OTLP variables for every process, set once the receivers run.</summary>
    public IReadOnlyDictionary<string, string> TelemetryEnvironment { get; set; } = new Dictionary<string, string>();

    public IReadOnlyList<ReplicaRunner> ReplicasOf(string resourceName) =>
        _replicas.TryGetValue(resourceName, out var replicas)
            ? replicas
            : throw new DistributedApplicationException($"There is no resource named '{resourceName}'. Resources: {string.Join(", ", _replicas.Keys)}.");

    /// <summary>Starts everything and returns once every resource is healthy; throws, with the logs, when one cannot get there.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StartTimeout);
        var started = _resources.OfType<ProjectResource>().ToDictionary(resource => resource, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        async Task StartResource(ProjectResource resource)
        {
            foreach (var wait in resource.AnnotationsOf<WaitAnnotation>())
            {
                await started[(ProjectResource)wait.Target].Task;
            }

            await Task.WhenAll(ReplicasOf(resource.Name).Select(replica => replica.StartAsync(_options.Output)));
            await WaitForHealthyAsync(resource.Name, timeout.Token);
            await _options.Output.WriteLineAsync($"{resource.Name} is healthy");
        }

        var all = started.Keys.Select(async resource =>
        {
            try
            {
                await StartResource(resource);
                started[resource].TrySetResult();
            }
            catch (Exception exception)
            {
                started[resource].TrySetException(exception);
                throw;
            }
        }).ToList();

        try
        {
            await Task.WhenAll(all);
        }
        catch (Exception) when (all.Select(task => task.Exception?.InnerException).OfType<DistributedApplicationException>().FirstOrDefault() is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>Waits until every replica of the resource is healthy; throws at once if one exits or fails to start.</summary>
    public async Task WaitForHealthyAsync(string resourceName, CancellationToken cancellationToken)
    {
        var replicas = ReplicasOf(resourceName);
        while (true)
        {
            var changes = replicas.Select(replica => replica.StateChanged).ToList();
            if (replicas.FirstOrDefault(replica => replica.State is ReplicaState.Exited or ReplicaState.FailedToStart) is { } failed)
            {
                throw new DistributedApplicationException(
                    $"Resource '{resourceName}' failed to start: replica {failed.Id} is {Describe(failed)}. Its last output:{Environment.NewLine}{LastLines(failed)}");
            }

            if (replicas.All(replica => replica.State == ReplicaState.Healthy))
            {
                return;
            }

            try
            {
                // Woken by the first state change of any replica (taken before the states were read above, so none is missed).
                await Task.WhenAny(changes).WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                var waiting = replicas.First(replica => replica.State != ReplicaState.Healthy);
                throw new DistributedApplicationException(
                    $"Resource '{resourceName}' did not become healthy in time: replica {waiting.Id} is {waiting.State}. Its last output:{Environment.NewLine}{LastLines(waiting)}");
            }
        }
    }

    /// <summary>Stops every resource, dependents first, so that nothing calls a service that is already gone.</summary>
    public async Task StopAsync()
    {
        // From now on every exit is expected: a process may get the signal before its turn (Ctrl+C reaches the whole
        // process group), and that is not a crash to report.
        foreach (var replica in _replicas.Values.SelectMany(replicas => replicas))
        {
            replica.ExpectExit();
        }

        foreach (var resource in StopOrder())
        {
            await Task.WhenAll(ReplicasOf(resource.Name).Select(replica => replica.StopAsync(_options.StopTimeout)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (var replica in _replicas.Values.SelectMany(replicas => replicas))
        {
            await replica.DisposeAsync();
        }
    }

    /// <summary>The environment the first replica of a resource starts with (for the dashboard).</summary>
    public IReadOnlyDictionary<string, string> EnvironmentOf(string resourceName) => EnvironmentFor(ReplicasOf(resourceName)[0]);

    /// <summary>The environment a replica starts with, as Aspire sets it.</summary>
    private Dictionary<string, string> EnvironmentFor(ReplicaRunner replica)
    {
        var variables = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = string.Join(';', replica.Endpoints.Values.Select(url => url.ToString().TrimEnd('/'))),
            ["ASPNETCORE_ENVIRONMENT"] = _options.EnvironmentName,
            ["DOTNET_ENVIRONMENT"] = _options.EnvironmentName,
            ["OTEL_SERVICE_NAME"] = replica.Resource.Name,
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={replica.Id}",
        };

        foreach (var (name, value) in TelemetryEnvironment)
        {
            variables[name] = value;
        }

        foreach (var reference in replica.Resource.AnnotationsOf<ResourceReferenceAnnotation>())
        {
            foreach (var target in ReplicasOf(reference.Target.Name))
            {
                foreach (var (endpoint, url) in target.Endpoints)
                {
                    var index = target.Index.ToString(CultureInfo.InvariantCulture);
                    variables[$"services__{reference.Target.Name}__{endpoint}__{index}"] = url.ToString().TrimEnd('/');
                }
            }
        }

        var context = new EnvironmentContext(replica.Resource, replica.Index, variables);
        foreach (var annotation in replica.Resource.AnnotationsOf<EnvironmentAnnotation>())
        {
            annotation.Callback(context);
        }

        return variables;
    }

    /// <summary>Dependents before what they depend on: the reverse of a depth-first post-order over dependencies.</summary>
    private List<ProjectResource> StopOrder()
    {
        var order = new List<IResource>();
        var seen = new HashSet<IResource>();
        void Visit(IResource resource)
        {
            if (!seen.Add(resource))
            {
                return;
            }

            foreach (var dependency in resource.Dependencies())
            {
                Visit(dependency);
            }

            order.Add(resource);
        }

        foreach (var resource in _resources)
        {
            Visit(resource);
        }

        order.Reverse();
        return [.. order.OfType<ProjectResource>()];
    }

    private static string Describe(ReplicaRunner replica) =>
        replica.State == ReplicaState.Exited ? $"Exited with code {replica.ExitCode}" : replica.State.ToString();

    private static string LastLines(ReplicaRunner replica) =>
        string.Join(Environment.NewLine, replica.Logs.Last(30).Select(line => "    " + line.Text));
}
