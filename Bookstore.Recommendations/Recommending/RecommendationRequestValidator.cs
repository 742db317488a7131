using Bookstore.Protos;

namespace Bookstore.Recommendations.Recommending;

public static class RecommendationRequestValidator
{
    /// <summary>What <c>max_results = 0</c> (proto3's "unset") means: the server's default.</summary>
    public const int DefaultMaxResults = 3;
    public const int MaxResultsLimit = 100;

    /// <summary>Checks the request and returns how many books to recommend at most.</summary>
    public static int Validate(RecommendationRequest request)
    {
        if (request.UserId < 0)
        {
            throw new InvalidRequestException($"user_id must be 0 or more, got {request.UserId}.");
        }

        if (request.MaxResults is < 0 or > MaxResultsLimit)
        {
            throw new InvalidRequestException(
                $"max_results must be between 1 and {MaxResultsLimit} (0 means the default of {DefaultMaxResults}), got {request.MaxResults}.");
        }

        return request.MaxResults == 0 ? DefaultMaxResults : request.MaxResults;
    }
}
