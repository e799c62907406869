using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace MarketPipeline;

/// <summary>The one line a task prints when it is done, "task-summary {json}"; the runner parses it.</summary>
internal sealed record TaskSummary(int Task, long ElapsedMilliseconds, string Digest, IReadOnlyDictionary<string, HelperCounts> Helpers, IReadOnlyList<Segment> Timeline)
{
    private const string Tag = "task-summary ";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public long LocalHits => Helpers.Values.Sum(h => h.LocalHits);

    public long RedisHits => Helpers.Values.Sum(h => h.RedisHits);

    public long Waits => Helpers.Values.Sum(h => h.Waits);

    public long Computations => Helpers.Values.Sum(h => h.Computations);

    public long FallbackHits => Helpers.Values.Sum(h => h.FallbackHits);

    public long Errors => Helpers.Values.Sum(h => h.Errors);

    public int BodyRuns => Helpers.Values.Sum(h => h.BodyRuns);

    public string ToLine() => Tag + JsonSerializer.Serialize(this, Json);

    /// <summary>The summary on this line, or null when the line is not one (or not one this runner can read).</summary>
    public static TaskSummary? TryParse(string line)
    {
        if (!line.StartsWith(Tag, System.StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<TaskSummary>(line[Tag.Length..], Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
