using Bookstore.Marketplace.Recommending;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Bookstore.Marketplace.Pages;

public sealed class IndexModel(BookRecommender recommender) : PageModel
{
    public RecommendationResult Result { get; private set; } = RecommendationResult.Failed;

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Result = await recommender.RecommendAsync(Categories.Mystery.Category, cancellationToken);
}
