using static Bookstore.DeploymentGenerator.KubernetesObjects;

namespace Bookstore.DeploymentGenerator;

/// <summary>
/// Network policy: a default-deny for every pod of the namespace (ingress and egress), then one NetworkPolicy per
/// workload that allows exactly the flows of the model: a workload may call another when the manifest points it at it
/// (service discovery or a connection string), on that workload's port; the migration job reaches its database; the
/// external web app takes ingress from anywhere on its port; and a workload that calls anything may ask the cluster's
/// DNS. Nothing else is allowed.
/// </summary>
internal static class NetworkPolicies
{
    public const string FileName = "networkpolicy.yaml";
    public const string MigrationFileName = "migrate-networkpolicy.yaml";
    public const string DefaultDenyFileName = "default-deny.yaml";

    /// <summary>A workload as a network peer: its pods' name label, its port, whether it faces users.</summary>
    public sealed record Workload(string Name, string Component, int Port, bool External, IReadOnlyList<string> Calls);

    /// <summary>The workloads of the model and whom each one calls.</summary>
    public static IReadOnlyList<Workload> Workloads(DeploymentModel model)
    {
        var workloads = new List<Workload>();
        foreach (var project in model.Projects)
        {
            var external = project.Bindings.Any(binding => binding.External);
            workloads.Add(new Workload(project.Name, external ? "frontend" : "backend", DeploymentGenerator.ContainerPort, external, [.. model.DependenciesOf(project).Order(StringComparer.Ordinal)]));
            if (model.PostgresServerOf(project) is { } server)
            {
                workloads.Add(new Workload(MigrationJob.Name(project), MigrationJob.Component, 0, false, [server.Name]));
            }
        }

        foreach (var container in model.Containers)
        {
            workloads.Add(new Workload(container.Name, PostgresServer.Component, PostgresServer.Port(container), false, []));
        }

        // Only calls to workloads (a database resource inside a server is reached through its server).
        var names = workloads.Select(workload => workload.Name).ToHashSet();
        return [.. workloads.Select(workload => workload with { Calls = [.. workload.Calls.Where(names.Contains)] })];
    }

    public static Dictionary<string, object> DefaultDeny() => new()
    {
        ["apiVersion"] = "networking.k8s.io/v1",
        ["kind"] = "NetworkPolicy",
        ["metadata"] = Metadata("default-deny", new Dictionary<string, object> { ["app.kubernetes.io/part-of"] = "bookstore", ["app.kubernetes.io/managed-by"] = "bookstore-apphost" }),
        ["spec"] = new Dictionary<string, object>
        {
            ["podSelector"] = new Dictionary<string, object>(),
            ["policyTypes"] = new[] { "Ingress", "Egress" },
        },
    };

    /// <summary>What <paramref name="workload"/> may receive and send.</summary>
    public static Dictionary<string, object> For(IReadOnlyList<Workload> workloads, Workload workload)
    {
        var ingress = new List<object>();
        if (workload.External)
        {
            ingress.Add(new Dictionary<string, object> { ["ports"] = new[] { Port(workload.Port, "TCP") } });
        }

        var callers = workloads.Where(other => other.Calls.Contains(workload.Name)).ToList();
        if (callers.Count > 0 && workload.Port > 0)
        {
            ingress.Add(new Dictionary<string, object>
            {
                ["from"] = callers.Select(caller => (object)Pods(caller.Name)).ToArray(),
                ["ports"] = new[] { Port(workload.Port, "TCP") },
            });
        }

        var egress = new List<object>();
        foreach (var callee in workload.Calls.Select(name => workloads.Single(other => other.Name == name)))
        {
            egress.Add(new Dictionary<string, object> { ["to"] = new[] { Pods(callee.Name) }, ["ports"] = new[] { Port(callee.Port, "TCP") } });
        }

        if (egress.Count > 0)
        {
            // Names are resolved by the cluster's DNS (kube-dns / CoreDNS in kube-system).
            egress.Add(new Dictionary<string, object>
            {
                ["to"] = new[]
                {
                    new Dictionary<string, object>
                    {
                        ["namespaceSelector"] = new Dictionary<string, object> { ["matchLabels"] = new Dictionary<string, object> { ["kubernetes.io/metadata.name"] = "kube-system" } },
                        ["podSelector"] = new Dictionary<string, object> { ["matchLabels"] = new Dictionary<string, object> { ["k8s-app"] = "kube-dns" } },
                    },
                },
                ["ports"] = new[] { Port(53, "UDP"), Port(53, "TCP") },
            });
        }

        return new Dictionary<string, object>
        {
            ["apiVersion"] = "networking.k8s.io/v1",
            ["kind"] = "NetworkPolicy",
            ["metadata"] = Metadata(workload.Name, Labels(workload.Name, workload.Component)),
            ["spec"] = new Dictionary<string, object>
            {
                ["podSelector"] = new Dictionary<string, object> { ["matchLabels"] = Selector(workload.Name) },
                ["policyTypes"] = new[] { "Ingress", "Egress" },
                ["ingress"] = ingress.ToArray(),
                ["egress"] = egress.ToArray(),
            },
        };
    }

    private static Dictionary<string, object> Pods(string name) => new() { ["podSelector"] = new Dictionary<string, object> { ["matchLabels"] = Selector(name) } };

    private static Dictionary<string, object> Port(int port, string protocol) => new() { ["port"] = port, ["protocol"] = protocol };
}
