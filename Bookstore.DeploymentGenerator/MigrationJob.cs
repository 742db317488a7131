using static Bookstore.DeploymentGenerator.KubernetesObjects;

namespace Bookstore.DeploymentGenerator;

/// <summary>
/// The schema migration of a project that uses a PostgreSQL database: its own image with the argument
/// <c>migrate</c> (the services' convention: apply the EF Core migrations, exit 0, or non-zero saying why), with the
/// project's environment and secrets. In production the service does not migrate at start, and its readiness stays
/// Unhealthy until the schema is current, so new pods take traffic only after this has run.
/// <para>
/// Kubernetes: a Job with a fixed name (<c>{project}-migrate</c>) in the project's folder. A Job's pod template cannot
/// change, and an unchanged Job does not run again: delete it before each <c>kubectl apply -k</c> of a new release
/// (<c>kubectl delete job recommendations-migrate --ignore-not-found</c>). Compose: a one-shot service
/// <c>migrate</c> that waits for the database to be healthy; the project waits for it to complete successfully.
/// </para>
/// </summary>
internal static class MigrationJob
{
    public const string Command = "migrate";
    public const string ComposeServiceName = "migrate";
    public const string Component = "migration";
    public const string FileName = "migrate-job.yaml";

    public static string Name(ManifestProject project) => $"{project.Name}-migrate";

    public static Dictionary<string, object> Job(DeploymentModel model, ManifestProject project, ManifestContainer server)
    {
        var labels = Labels(Name(project), Component);
        var container = DeploymentGenerator.ProjectContainer(model, project);
        container["name"] = Command;
        container["args"] = new[] { Command };
        // It serves nothing: no ports, no probes.
        foreach (var key in new[] { "ports", "startupProbe", "readinessProbe", "livenessProbe" })
        {
            container.Remove(key);
        }

        return new Dictionary<string, object>
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = Metadata(Name(project), labels),
            ["spec"] = new Dictionary<string, object>
            {
                // A failed migration is rolled back and exits non-zero: retried a few times, then the Job fails.
                ["backoffLimit"] = 3,
                ["activeDeadlineSeconds"] = 600,
                // Kept an hour for its logs, then deleted; a later `kubectl apply -k` creates (and runs) it again.
                ["ttlSecondsAfterFinished"] = 3600,
                ["template"] = new Dictionary<string, object>
                {
                    // Its own name label: the project's Services must not select the job's pod.
                    ["metadata"] = new Dictionary<string, object> { ["labels"] = labels },
                    ["spec"] = new Dictionary<string, object>
                    {
                        ["restartPolicy"] = "Never",
                        ["serviceAccountName"] = project.Name,
                        ["automountServiceAccountToken"] = false,
                        ["securityContext"] = PodSecurityContext(DeploymentGenerator.ProjectUser, ownsVolumes: DeploymentGenerator.MountsSecrets(project)),
                        ["initContainers"] = new[] { WaitForServer(server) },
                        ["containers"] = new[] { container },
                        ["volumes"] = DeploymentGenerator.Volumes(project),
                    },
                },
            },
        };
    }

    /// <summary>
    /// Waits until the server accepts connections, so that the Job's retries count real failures only. With a user
    /// name: libpq cannot look up the pod's uid (no passwd entry), and pg_isready without -U then never even tries.
    /// </summary>
    private static Dictionary<string, object> WaitForServer(ManifestContainer server) => new()
    {
        ["name"] = $"wait-for-{server.Name}",
        ["image"] = server.Image,
        ["imagePullPolicy"] = "IfNotPresent",
        ["command"] = new[] { "sh", "-c", $"until pg_isready -U {PostgresServer.UserName(server)} -h {server.Name} -p {PostgresServer.Port(server)} -q; do sleep 2; done" },
        ["resources"] = new Dictionary<string, object>
        {
            ["requests"] = new Dictionary<string, object> { ["cpu"] = "10m", ["memory"] = "16Mi" },
            ["limits"] = new Dictionary<string, object> { ["cpu"] = "100m", ["memory"] = "64Mi" },
        },
        ["securityContext"] = ContainerSecurityContext(),
    };

    /// <summary>The Compose service: the project's, run once with <c>migrate</c> after the server is healthy.</summary>
    public static Dictionary<string, object> ComposeService(DeploymentModel model, ManifestProject project, ManifestContainer server)
    {
        var service = DeploymentGenerator.ProjectComposeService(model, project);
        service["command"] = new[] { Command };
        service["restart"] = "no";
        service["depends_on"] = new Dictionary<string, object> { [server.Name] = Compose.Condition("service_healthy") };
        service.Remove("stop_grace_period");
        return service;
    }
}
