using static Bookstore.DeploymentGenerator.KubernetesObjects;

namespace Bookstore.DeploymentGenerator;

/// <summary>
/// A PostgreSQL container of the manifest (Aspire's <c>AddPostgres</c>): in Kubernetes a StatefulSet of one pod with
/// a PersistentVolumeClaim per volume, a headless Service, a ServiceAccount, its settings in a ConfigMap and its
/// password in a Secret that kustomize generates from a git-ignored env file; in Compose a service with a named volume
/// and a health check. The image is the official postgres image or one that behaves like it (deploy/postgres).
/// </summary>
internal static class PostgresServer
{
    /// <summary>The official image's postgres user and group (bookstore/postgres keeps them).</summary>
    public const int User = 999;

    public const string Component = "database";

    private const string SocketDirectory = "/var/run/postgresql";

    public static bool IsPostgres(ManifestContainer container) =>
        container.Image.Split(':')[0].Split('/')[^1] == "postgres";

    public static int Port(ManifestContainer container) =>
        container.Bindings.FirstOrDefault(binding => binding.TargetPort is not null)?.TargetPort
        ?? throw new ManifestException($"Container '{container.Name}' has no binding with a targetPort.");

    public static string UserName(ManifestContainer container) =>
        container.Environment.GetValueOrDefault("POSTGRES_USER") ?? "postgres";

    /// <summary>
    /// The manifest's environment plus PGDATA in a subdirectory of the data volume (as the official image advises: a
    /// fresh volume's root may hold lost+found or be owned by root, and initdb wants an empty directory it owns), and
    /// POSTGRES_DB when the AppHost adds exactly one database on this server: Aspire creates it itself at run time,
    /// here the image does on first start (the migration job would also create it).
    /// </summary>
    public static Dictionary<string, ResolvedValue> Environment(DeploymentModel model, ManifestContainer container)
    {
        var environment = model.Environment(container.Environment);
        if (container.Volumes is [var data, ..] && !environment.ContainsKey("PGDATA"))
        {
            environment["PGDATA"] = Literal($"{data.Target}/pgdata");
        }

        var databases = model.Databases.Where(database => database.Server == container.Name).ToList();
        if (databases is [var only] && !environment.ContainsKey("POSTGRES_DB"))
        {
            environment["POSTGRES_DB"] = Literal(only.Database);
        }

        return environment;
    }

    public static void WriteKubernetes(DeploymentModel model, ManifestContainer container, string folder)
    {
        var environment = Environment(model, container);
        Directory.CreateDirectory(folder);
        DeploymentGenerator.WriteYaml(Path.Combine(folder, "serviceaccount.yaml"), ServiceAccount(container.Name, Labels(container.Name, Component)));
        DeploymentGenerator.WriteYaml(Path.Combine(folder, "statefulset.yaml"), StatefulSet(model, container, environment));
        DeploymentGenerator.WriteYaml(Path.Combine(folder, "service.yaml"), Service(container));
        DeploymentGenerator.WriteYaml(
            Path.Combine(folder, "kustomization.yaml"),
            Kustomization(
                ["serviceaccount.yaml", "statefulset.yaml", "service.yaml", NetworkPolicies.FileName],
                $"{container.Name}-env",
                environment.Where(variable => !variable.Value.HasSecrets).Select(variable => $"{variable.Key}={variable.Value.Plain}"),
                DeploymentModel.SecretName(container),
                DeploymentModel.SecretEnvFile(container)),
            $"{DeploymentModel.SecretEnvFile(container)} ({string.Join(", ", model.SecretKeysOf(container).Select(key => $"{key}=..."))}) is git-ignored: scripts/generate-secrets.sh writes it.");
    }

    private static Dictionary<string, object> StatefulSet(DeploymentModel model, ManifestContainer container, Dictionary<string, ResolvedValue> environment)
    {
        var labels = Labels(container.Name, Component);
        var port = Port(container);
        var probe = (int periodSeconds, int failureThreshold) => new Dictionary<string, object>
        {
            // Through the Unix socket: answers "accepting connections" without a password.
            ["exec"] = new Dictionary<string, object> { ["command"] = new[] { "pg_isready", "-U", UserName(container), "-h", SocketDirectory, "-p", $"{port}" } },
            ["periodSeconds"] = periodSeconds,
            ["timeoutSeconds"] = 5,
            ["failureThreshold"] = failureThreshold,
        };
        var mounts = container.Volumes.Select(volume => volume.ReadOnly ? new Dictionary<string, object>(Mount(volume.Name, volume.Target)) { ["readOnly"] = true } : Mount(volume.Name, volume.Target))
            // The root filesystem stays read-only: the server's socket and lock file, and the entrypoint's temporary
            // directory on first start, go to emptyDirs.
            .Append(Mount("run", SocketDirectory))
            .Append(Mount("tmp", "/tmp"))
            .ToArray();
        return new Dictionary<string, object>
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "StatefulSet",
            ["metadata"] = Metadata(container.Name, labels),
            ["spec"] = new Dictionary<string, object>
            {
                ["serviceName"] = container.Name,
                // One server: PostgreSQL replicas need replication set up, not more pods on the same claim.
                ["replicas"] = 1,
                ["selector"] = new Dictionary<string, object> { ["matchLabels"] = Selector(container.Name) },
                ["template"] = new Dictionary<string, object>
                {
                    ["metadata"] = new Dictionary<string, object> { ["labels"] = labels },
                    ["spec"] = new Dictionary<string, object>
                    {
                        ["serviceAccountName"] = container.Name,
                        ["automountServiceAccountToken"] = false,
                        // The runtime stops it with the image's STOPSIGNAL (SIGINT: fast shutdown, then a checkpoint);
                        // time for that before SIGKILL.
                        ["terminationGracePeriodSeconds"] = 60,
                        ["securityContext"] = PodSecurityContext(User, ownsVolumes: true),
                        ["containers"] = new[]
                        {
                            new Dictionary<string, object>
                            {
                                ["name"] = container.Name,
                                ["image"] = container.Image,
                                ["imagePullPolicy"] = "IfNotPresent",
                                ["ports"] = new[] { new Dictionary<string, object> { ["name"] = "tcp", ["containerPort"] = port, ["protocol"] = "TCP" } },
                                ["envFrom"] = new[] { ConfigMapEnvironment($"{container.Name}-env") },
                                ["env"] = SecretEnvironment(environment.Where(variable => variable.Value.HasSecrets).ToDictionary(), model.SecretName),
                                ["resources"] = new Dictionary<string, object>
                                {
                                    ["requests"] = new Dictionary<string, object> { ["cpu"] = "250m", ["memory"] = "256Mi" },
                                    ["limits"] = new Dictionary<string, object> { ["cpu"] = "1", ["memory"] = "512Mi" },
                                },
                                ["securityContext"] = ContainerSecurityContext(),
                                // initdb on a fresh volume, or crash recovery, may take a while.
                                ["startupProbe"] = probe(2, 90),
                                ["readinessProbe"] = probe(5, 2),
                                ["livenessProbe"] = probe(10, 6),
                                ["volumeMounts"] = mounts,
                            },
                        },
                        ["volumes"] = new[] { EmptyDir("run"), EmptyDir("tmp") },
                    },
                },
                ["volumeClaimTemplates"] = container.Volumes.Select(volume => new Dictionary<string, object>
                {
                    ["metadata"] = Metadata(volume.Name, labels),
                    ["spec"] = new Dictionary<string, object>
                    {
                        ["accessModes"] = new[] { "ReadWriteOnce" },
                        ["resources"] = new Dictionary<string, object> { ["requests"] = new Dictionary<string, object> { ["storage"] = "1Gi" } },
                    },
                }).ToArray(),
            },
        };
    }

    /// <summary>Headless: the StatefulSet's governing Service; <c>postgres</c> resolves to the ready pod.</summary>
    private static Dictionary<string, object> Service(ManifestContainer container) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = Metadata(container.Name, Labels(container.Name, Component)),
        ["spec"] = new Dictionary<string, object>
        {
            ["clusterIP"] = "None",
            ["selector"] = Selector(container.Name),
            ["ports"] = new[]
            {
                new Dictionary<string, object> { ["name"] = "tcp", ["port"] = Port(container), ["targetPort"] = "tcp", ["protocol"] = "TCP" },
            },
        },
    };

    /// <summary>
    /// The Compose service: the image's own uid, so nothing needs root (Docker gives a fresh named volume the image
    /// directory's owner, postgres), a read-only root with tmpfs for the socket and /tmp, and a health check that the
    /// migration service waits on.
    /// </summary>
    public static Dictionary<string, object> ComposeService(DeploymentModel model, ManifestContainer container) => new()
    {
        ["image"] = container.Image,
        ["user"] = $"{User}:{User}",
        ["environment"] = Compose.Environment(Environment(model, container)),
        ["volumes"] = container.Volumes.Select(volume => $"{volume.Name}:{volume.Target}{(volume.ReadOnly ? ":ro" : "")}").ToArray(),
        ["read_only"] = true,
        ["tmpfs"] = new[] { SocketDirectory, "/tmp" },
        ["cap_drop"] = new[] { "ALL" },
        ["security_opt"] = new[] { "no-new-privileges:true" },
        ["healthcheck"] = new Dictionary<string, object>
        {
            ["test"] = new[] { "CMD", "pg_isready", "-U", UserName(container), "-h", SocketDirectory, "-p", $"{Port(container)}" },
            ["interval"] = "2s",
            ["timeout"] = "5s",
            ["retries"] = 30,
        },
        ["stop_grace_period"] = "60s",
        ["restart"] = "unless-stopped",
    };

    private static ResolvedValue Literal(string text) => new([new ValuePart(text, IsSecret: false)]);
}
