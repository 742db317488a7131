namespace Bookstore.AppHost.Extensions;

public static class TierUpDelayExtensions
{
    /// <summary>The services' delay before tier-1 recompilation (<c>DOTNET_TC_CallCountingDelayMs</c>, the runtime's default 100 ms).</summary>
    public const int CallCountingDelayMs = 5000;

    /// <summary>
    /// Starts every project with its tier-1 recompilation held back until it has JIT-compiled no new method for
    /// <see cref="CallCountingDelayMs"/>, as the AppHost holds back its own (Bookstore.AppHost.csproj). With the runtime's
    /// 100 ms, Recommendations recompiles its hot start-up methods in the background while the Marketplace starts on the
    /// same two vCPUs; with this the home page came about 0.12 s sooner (ten interleaved pairs, README, start-up). Their
    /// ReadyToRun code serves meanwhile, and under load they reach tier 1 a few seconds later than they would. Only
    /// where the AppHost runs them: deployments keep the runtime's default.
    /// </summary>
    public static IDistributedApplicationBuilder DelayServicesTierUpWhileStarting(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            project.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
                context.EnvironmentVariables.TryAdd("DOTNET_TC_CallCountingDelayMs", CallCountingDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        return builder;
    }
}
