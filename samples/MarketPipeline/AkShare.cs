using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AkCache;

namespace MarketPipeline;

public sealed record Bar(DateTime Day, decimal Close);

/// <summary>
/// Data helpers shaped like akshare's, each one a call to the slow market-data API. [Memoize]
/// shares their results between the pipeline's task processes through Redis.
/// </summary>
public static class AkShare
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static HttpClient? s_api;
    private static int s_computed;

    /// <summary>How many calls in this process ran a body, and so called the API; the other calls were cache hits.</summary>
    public static int Computed => Volatile.Read(ref s_computed);

    private static HttpClient Api => s_api ?? throw new InvalidOperationException("Call AkShare.UseApi first.");

    public static void UseApi(Uri baseAddress) => s_api = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(1) };

    /// <summary>Sector codes ranked by today's net fund inflow (akshare: stock_sector_fund_flow_rank).</summary>
    [Memoize(MaxAgeSeconds = 600)]
    public static List<string> SectorFundFlowCodes(string sectorType)
    {
        Interlocked.Increment(ref s_computed);
        return Get<List<string>>("sector-fund-flow?sector_type=" + Uri.EscapeDataString(sectorType));
    }

    /// <summary>Codes of the concept boards (akshare: stock_board_concept_name_em).</summary>
    [Memoize(MaxAgeSeconds = 3600)]
    public static List<string> ConceptCodes()
    {
        Interlocked.Increment(ref s_computed);
        return Get<List<string>>("concepts");
    }

    /// <summary>Daily closes of one symbol over its last <paramref name="days"/> trading days (akshare: stock_zh_a_hist).</summary>
    [Memoize(MaxAgeSeconds = 3600)]
    public static async Task<Bar[]> HistoryAsync(string symbol, int days)
    {
        Interlocked.Increment(ref s_computed);
        var bars = await Api.GetFromJsonAsync<Bar[]>($"history?symbol={Uri.EscapeDataString(symbol)}&days={days}", Json).ConfigureAwait(false);
        return bars ?? throw new InvalidDataException($"The API returned no history for {symbol}.");
    }

    private static T Get<T>(string request)
    {
        using var response = Api.Send(new HttpRequestMessage(HttpMethod.Get, request));
        response.EnsureSuccessStatusCode();
        using var body = response.Content.ReadAsStream();
        return JsonSerializer.Deserialize<T>(body, Json) ?? throw new InvalidDataException($"The API returned nothing for {request}.");
    }
}
