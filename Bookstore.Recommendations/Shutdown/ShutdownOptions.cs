namespace Bookstore.Recommendations.Shutdown;

/// <summary>The "Shutdown" configuration section (e.g. <c>Shutdown__DrainTimeout=00:00:10</c>).</summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>
    /// After SIGTERM, how long the service keeps accepting calls while reporting NOT_SERVING, so that load
    /// balancers (Kubernetes endpoints, client-side pickers) stop sending before the listener closes. Default 0.
    /// </summary>
    public TimeSpan PreStopDelay { get; set; } = TimeSpan.Zero;

    /// <summary>How long in-flight calls get to finish once the listener is closed. Default 30 s.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
