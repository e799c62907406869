using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Tasks;
using AkCache;

namespace MarketPipeline;

public sealed record Bar(DateTime Day, decimal Close);

/// <summary>
/// Data helpers shaped like akshare's, each one a call to the slow market-data API. [Memoize]
/// shares their results between the pipeline's task processes through Redis, and each process
/// keeps what it read in its local layer for the calls that repeat.
/// </summary>
public static class AkShare
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly ConcurrentDictionary<string, int> s_bodyRuns = new(StringComparer.Ordinal);
    private static HttpClient? s_api;

    private static HttpClient Api => s_api ?? throw new InvalidOperationException("Call AkShare.UseApi first.");

    public static void UseApi(Uri baseAddress) => s_api = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(1) };

    /// <summary>
    /// How many times each helper's body ran in this process, by helper name: counted by the helpers
    /// themselves, so that the demo can check AkCache's own statistics against them.
    /// </summary>
    public static IReadOnlyDictionary<string, int> BodyRuns => new Dictionary<string, int>(s_bodyRuns, StringComparer.Ordinal);

    /// <summary>Sector codes ranked by today's net fund inflow (akshare: stock_sector_fund_flow_rank).</summary>
    [Memoize(MaxAgeSeconds = 600)]
    public static List<string> SectorFundFlowCodes(string sectorType)
    {
        CountBodyRun(nameof(SectorFundFlowCodes));
        return Get<List<string>>("sector-fund-flow?sector_type=" + Uri.EscapeDataString(sectorType));
    }

    /// <summary>Codes of the concept boards (akshare: stock_board_concept_name_em).</summary>
    [Memoize(MaxAgeSeconds = 3600)]
    public static List<string> ConceptCodes()
    {
        CountBodyRun(nameof(ConceptCodes));
        return Get<List<string>>("concepts");
    }

    /// <summary>The industry board of one symbol (akshare: stock_individual_info_em, its 行业 field).</summary>
    [Memoize(MaxAgeSeconds = 86400)]
    public static string IndustryOf(string symbol)
    {
        CountBodyRun(nameof(IndustryOf));
        return Get<string>("industry?symbol=" + Uri.EscapeDataString(symbol));
    }

    /// <summary>Daily closes of one symbol over its last <paramref name="days"/> trading days (akshare: stock_zh_a_hist).</summary>
    [Memoize(MaxAgeSeconds = 3600)]
    public static async Task<Bar[]> HistoryAsync(string symbol, int days)
    {
        CountBodyRun(nameof(HistoryAsync));
        var bars = await Api.GetFromJsonAsync<Bar[]>($"history?symbol={Uri.EscapeDataString(symbol)}&days={days}", Json).ConfigureAwait(false);
        return bars ?? throw new InvalidDataException($"The API returned no history for {symbol}.");
    }

    private static void CountBodyRun(string helper) => s_bodyRuns.AddOrUpdate(helper, 1, (_, runs) => runs + 1);

    private static T Get<T>(string request)
    {
        using var response = Api.Send(new HttpRequestMessage(HttpMethod.Get, request));
        response.EnsureSuccessStatusCode();
        using var body = response.Content.ReadAsStream();
        return JsonSerializer.Deserialize<T>(body, Json) ?? throw new InvalidDataException($"The API returned nothing for {request}.");
    }
}
