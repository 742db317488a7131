namespace Bookstore.DeploymentGenerator;

/// <summary>The pieces every generated workload shares: labels, ServiceAccount, security contexts, secret environment.</summary>
internal static class KubernetesObjects
{
    public static Dictionary<string, object> Labels(string name, string component) => new()
    {
        ["app.kubernetes.io/name"] = name,
        ["app.kubernetes.io/part-of"] = "bookstore",
        ["app.kubernetes.io/component"] = component,
        ["app.kubernetes.io/managed-by"] = "bookstore-apphost",
    };

    public static Dictionary<string, object> Selector(string name) => new() { ["app.kubernetes.io/name"] = name };

    public static Dictionary<string, object> Metadata(string name, Dictionary<string, object> labels) => new() { ["name"] = name, ["labels"] = labels };

    /// <summary>One per workload, without an API token: nothing here talks to the Kubernetes API.</summary>
    public static Dictionary<string, object> ServiceAccount(string name, Dictionary<string, object> labels) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ServiceAccount",
        ["metadata"] = Metadata(name, labels),
        ["automountServiceAccountToken"] = false,
    };

    public static Dictionary<string, object> PodSecurityContext(int user, bool ownsVolumes = false)
    {
        var context = new Dictionary<string, object>
        {
            ["runAsNonRoot"] = true,
            ["runAsUser"] = user,
            ["runAsGroup"] = user,
            ["seccompProfile"] = new Dictionary<string, object> { ["type"] = "RuntimeDefault" },
        };
        if (ownsVolumes)
        {
            // The volumes' files belong to the group, so the non-root user can write a fresh volume.
            context["fsGroup"] = user;
            context["fsGroupChangePolicy"] = "OnRootMismatch";
        }

        return context;
    }

    public static Dictionary<string, object> ContainerSecurityContext() => new()
    {
        ["allowPrivilegeEscalation"] = false,
        ["readOnlyRootFilesystem"] = true,
        ["runAsNonRoot"] = true,
        ["capabilities"] = new Dictionary<string, object> { ["drop"] = new[] { "ALL" } },
    };

    public static Dictionary<string, object> EmptyDir(string name) => new() { ["name"] = name, ["emptyDir"] = new Dictionary<string, object>() };

    public static Dictionary<string, object> Mount(string name, string path) => new() { ["name"] = name, ["mountPath"] = path };

    public static Dictionary<string, object> ConfigMapEnvironment(string configMap) =>
        new() { ["configMapRef"] = new Dictionary<string, object> { ["name"] = configMap } };

    /// <summary>
    /// The container <c>env</c> of the variables that carry a secret: first each secret, by its key, from its Secret
    /// (<paramref name="secretName"/>), then each variable with <c>$(KEY)</c> in its place, which Kubernetes expands
    /// from the variables defined before it. The value never appears in a file: only the Secret's name and key do.
    /// </summary>
    public static List<Dictionary<string, object>> SecretEnvironment(IReadOnlyDictionary<string, ResolvedValue> variables, Func<string, string> secretName)
    {
        var env = variables.Values.SelectMany(value => value.SecretKeys).Distinct()
            .Select(key => new Dictionary<string, object>
            {
                ["name"] = key,
                ["valueFrom"] = new Dictionary<string, object>
                {
                    ["secretKeyRef"] = new Dictionary<string, object> { ["name"] = secretName(key), ["key"] = key },
                },
            })
            .ToList();
        foreach (var (name, value) in variables)
        {
            // POSTGRES_PASSWORD={postgres-password.value} is the secret itself, already defined above.
            if (value.Parts is [{ IsSecret: true } only] && only.Text == name)
            {
                continue;
            }

            env.Add(new Dictionary<string, object> { ["name"] = name, ["value"] = value.Render(key => $"$({key})") });
        }

        return env;
    }

    public static Dictionary<string, object> Kustomization(IEnumerable<string> resources, string configMap, IEnumerable<string> literals, string? secret = null, string? secretEnvFile = null)
    {
        var kustomization = new Dictionary<string, object>
        {
            ["apiVersion"] = "kustomize.config.k8s.io/v1beta1",
            ["kind"] = "Kustomization",
            ["resources"] = resources.ToArray(),
            ["configMapGenerator"] = new[] { new Dictionary<string, object> { ["name"] = configMap, ["literals"] = literals.ToArray() } },
        };
        if (secret is not null && secretEnvFile is not null)
        {
            kustomization["secretGenerator"] = new[] { new Dictionary<string, object> { ["name"] = secret, ["envs"] = new[] { secretEnvFile } } };
        }

        return kustomization;
    }
}
