using Bookstore.Protos;

namespace Bookstore.Recommendations.Recommending;

/// <summary>Checks requests before anything is read or written; each message names the field and the rule.</summary>
public static class RequestValidator
{
    /// <summary>What <c>max_results = 0</c> (proto3's "unset") means: the server's default.</summary>
    public const int DefaultMaxResults = 3;
    public const int MaxResultsLimit = 100;
    public const int MinStars = 1;
    public const int MaxStars = 5;

    /// <summary>Checks the request and returns how many books to recommend at most.</summary>
    public static int Validate(RecommendationRequest request)
    {
        ValidateUser(request.UserId);
        if (request.MaxResults is < 0 or > MaxResultsLimit)
        {
            throw new InvalidRequestException(
                $"max_results must be between 1 and {MaxResultsLimit} (0 means the default of {DefaultMaxResults}), got {request.MaxResults}.");
        }

        return request.MaxResults == 0 ? DefaultMaxResults : request.MaxResults;
    }

    public static void Validate(GetBookRequest request)
    {
        if (request.HasUserId)
        {
            ValidateUser(request.UserId);
        }
    }

    public static void Validate(RateBookRequest request)
    {
        ValidateUser(request.UserId);
        if (request.Stars is < MinStars or > MaxStars)
        {
            throw new InvalidRequestException($"stars must be between {MinStars} and {MaxStars}, got {request.Stars}.");
        }
    }

    private static void ValidateUser(int userId)
    {
        if (userId < 0)
        {
            throw new InvalidRequestException($"user_id must be 0 or more, got {userId}.");
        }
    }
}
