namespace Bookstore.Hosting.Orchestration;

public enum ReplicaState
{
    /// <summary>Waiting for the resources it waits for to be healthy.</summary>
    Waiting,

    /// <summary>The process is being started.</summary>
    Starting,

    /// <summary>The process runs; its health check has not passed yet.</summary>
    Running,

    Healthy,

    /// <summary>It was healthy, and its health check now fails.</summary>
    Unhealthy,

    /// <summary>The process ended (see the exit code).</summary>
    Exited,

    /// <summary>The process could not be started at all.</summary>
    FailedToStart,
}

/// <summary>One replica as it is now.</summary>
public sealed record ReplicaSnapshot(
    string ResourceName,
    int Index,
    string Id,
    ReplicaState State,
    int? ProcessId,
    int? ExitCode,
    DateTimeOffset? StartedAt,
    int Restarts,
    IReadOnlyDictionary<string, Uri> Endpoints,
    long ConsoleLines);
