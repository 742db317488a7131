using Bookstore.Recommendations.Catalog;
using Bookstore.Recommendations.Data;
using Bookstore.Recommendations.Interceptors;
using Bookstore.Recommendations.Recommending;
using Bookstore.Recommendations.Security;
using Bookstore.Recommendations.Shutdown;
using Grpc.AspNetCore.Server;

namespace Bookstore.Recommendations.Extensions;

public static class ApplicationServiceExtensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // Plain h2c, TLS or mutual TLS (Security/TransportSecurityExtensions.cs), whatever the working directory says.
        builder.AddTransportSecurity();
        builder.AddCatalogDatabase();
        builder.Services.AddOptions<CatalogOptions>().Bind(builder.Configuration.GetSection(CatalogOptions.SectionName));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<BookCatalog>();
        builder.Services.AddGrpcCallInterceptors();
        builder.Services.AddGrpc(options => options.AddCallInterceptors());
        // Message size limits (appsettings.json, "Grpc"): a request over MaxReceiveMessageSize gets RESOURCE_EXHAUSTED.
        builder.Services.Configure<GrpcServiceOptions>(builder.Configuration.GetSection("Grpc"));
        builder.Services.AddGrpcReflection();
        // grpc.health.v1 answers from the ASP.NET Core health checks ("self", "draining", ...).
        builder.Services.AddGrpcHealthChecks();
        builder.AddGracefulShutdown();
        return builder;
    }

    public static WebApplication MapApplicationEndpoints(this WebApplication app)
    {
        // A request grpc-dotnet cannot read gets INVALID_ARGUMENT or INTERNAL, not UNKNOWN (Interceptors/MalformedRequestStatus.cs).
        app.MapGrpcService<RecommendationsService>().WithMalformedRequestStatus();
        app.MapGrpcHealthChecksService().WithMalformedRequestStatus();
        app.MapGrpcReflectionService().WithMalformedRequestStatus();
        return app;
    }
}
