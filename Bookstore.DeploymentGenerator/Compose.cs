namespace Bookstore.DeploymentGenerator;

/// <summary>
/// What the Compose file's services share. Compose substitutes <c>${VAR}</c> from the shell or from <c>.env</c> beside
/// the file (git-ignored; scripts/generate-secrets.sh writes it): a secret is written as <c>${KEY:?…}</c>, so its value
/// never is in the file and a missing one stops <c>docker-compose</c> with that message. Debian's docker-compose 1.29
/// reads this format (no top-level <c>name</c> or <c>version</c>).
/// </summary>
internal static class Compose
{
    public static Dictionary<string, string> Environment(IReadOnlyDictionary<string, ResolvedValue> environment) =>
        environment.ToDictionary(variable => variable.Key, variable => variable.Value.Render(Secret));

    public static string Secret(string key) => $"${{{key}:?is not set: scripts/generate-secrets.sh writes it to .env beside this file}}";

    public static Dictionary<string, object> Condition(string condition) => new() { ["condition"] = condition };
}
