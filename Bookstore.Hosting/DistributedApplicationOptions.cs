namespace Bookstore.Hosting;

public sealed class DistributedApplicationOptions
{
    public string[] Args { get; init; } = [];

    /// <summary>Built by the testing builder: model errors throw instead of ending the process.</summary>
    public bool IsTesting { get; init; }

    /// <summary>ASPNETCORE_ENVIRONMENT and DOTNET_ENVIRONMENT of every process.</summary>
    public string EnvironmentName { get; set; } = "Development";

    /// <summary>How long the whole app gets to become healthy before start fails.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a process gets after SIGTERM before it is killed.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The dashboard's port (0: any free one; taken: a free one instead); null: no dashboard. Tests have none by default.</summary>
    public int? DashboardPort { get; set; } = Dashboard.DashboardServer.DefaultPort;

    /// <summary>Run OTLP receivers and point every process's OpenTelemetry exporter at them (on by default).</summary>
    public bool CaptureTelemetry { get; set; } = true;

    /// <summary>How much telemetry the store keeps (the AppHost reads <c>Dashboard__TelemetryLimits__*</c> variables).</summary>
    public Telemetry.TelemetryLimits TelemetryLimits { get; init; } = new();

    /// <summary>Where the orchestrator reports (the AppHost's console; nothing for tests).</summary>
    public TextWriter Output { get; set; } = TextWriter.Null;
}
