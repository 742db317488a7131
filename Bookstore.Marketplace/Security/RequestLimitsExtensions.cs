using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Bookstore.Marketplace.Security;

/// <summary>
/// The request limits that configuration cannot express. The rest are in appsettings.json (<c>Kestrel:Limits</c>:
/// body, header and HTTP/2 sizes, header timeout), bound by ASP.NET Core itself; README, "Limits", lists them all.
/// </summary>
public static class RequestLimitsExtensions
{
    /// <summary>The rating form has two fields (stars, antiforgery token): anything much bigger is not our form.</summary>
    public const int FormValueCountLimit = 16;

    public const int FormValueLengthLimit = 4 * 1024;

    public static IServiceCollection AddRequestLimits(this IServiceCollection services)
    {
        services.Configure<FormOptions>(form =>
        {
            form.ValueCountLimit = FormValueCountLimit;
            form.ValueLengthLimit = FormValueLengthLimit;
            form.KeyLengthLimit = 256;
            form.MultipartBodyLengthLimit = 64 * 1024;
        });
        // A client that sends its body slower than 240 bytes/s (after a 5 s grace) is cut off: a slow-body attack
        // cannot hold a connection open. (MinDataRate has no setters, so configuration cannot bind it.)
        services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(240, TimeSpan.FromSeconds(5)));
        return services;
    }
}
