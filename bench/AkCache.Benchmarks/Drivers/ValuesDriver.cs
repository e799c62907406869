using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using AkCache.Benchmarks.Infrastructure;
using AkCache.Benchmarks.Peers;
using AkCache.Benchmarks.Subjects;
using AkCache.Benchmarks.Suites;

namespace AkCache.Benchmarks.Drivers;

/// <summary>
/// Item 10 (and item 2's value) outside BenchmarkDotNet: the bytes each contender stores, read back
/// from Redis, and the DataTable's hit and miss timed call by call with a Stopwatch, the contenders
/// taking turns in blocks (as <see cref="LatencyDriver"/> does for item 2), so that the ratios
/// come from the same moments of a noisy machine.
/// </summary>
internal static class ValuesDriver
{
    public static int Run(bool quick, string results)
    {
        var stored = new List<StoredBytes>();

        var quotePrefix = AkCacheSetup.NewPrefix("bytes-quote");
        AkCacheSetup.UseRedis(quotePrefix);
        var quote = Quote.Create(7);
        _ = Memoized.GetQuote(7);
        var quoteEnvelope = DataTableValue.StoredEnvelope(RedisProbe.Connection.GetDatabase(), quotePrefix, "GetQuote");
        stored.Add(new StoredBytes("Quote (items 2-4)", quoteEnvelope.Length, AkCacheFormat.Serialize(quote).Length, "plain MessagePack, contractless", BenchSerializer.Serialize(quote).Length));
        AkCacheRuntime.Reset();

        var suite = new DataTableValue();
        suite.Setup();
        try
        {
            var table = MarketTable.Create(DataTableValue.Id);
            var tableEnvelope = StoredTableEnvelope();
            var payload = AkCacheFormat.Serialize(table).Length;
            stored.Add(new StoredBytes("DataTable, 1,000 rows x 8 columns (item 10)", tableEnvelope, payload, "the same payload, AkCache's formatter, no envelope", payload));
            stored.Add(new StoredBytes("DataTable, 1,000 rows x 8 columns (item 10)", tableEnvelope, payload, "DataTable.WriteXml with its schema", DataTableValue.Xml(table).Length));
            foreach (var s in stored)
            {
                Console.WriteLine(s);
            }

            var calls = quick ? 50 : 1_000;
            const int Blocks = 10;
            var contenders = new (string Name, Func<object> Call)[]
            {
                ("AkCache, Redis hit", suite.HitAkCache),
                ("raw StringGet + AkCache's MessagePack DataTable formatter", suite.HitRaw),
                ("raw StringGet + DataTable.ReadXml (schema included)", suite.HitRawXml),
                ("AkCache miss", suite.MissAkCache),
                ("raw GET + build + AkCache's MessagePack formatter + SET", suite.MissRaw),
            };
            var ticks = contenders.Select(_ => new List<long>(calls)).ToArray();
            for (var warm = 0; warm < calls / 10; warm++)
            {
                foreach (var contender in contenders)
                {
                    _ = contender.Call();
                }
            }

            for (var block = 0; block < Blocks; block++)
            {
                for (var c = 0; c < contenders.Length; c++)
                {
                    for (var i = 0; i < calls / Blocks; i++)
                    {
                        var start = Stopwatch.GetTimestamp();
                        _ = contenders[c].Call();
                        ticks[c].Add(Stopwatch.GetTimestamp() - start);
                    }
                }
            }

            var summaries = contenders.Select((c, i) => LatencySummary.From(c.Name, ticks[i])).ToList();
            foreach (var summary in summaries)
            {
                Console.WriteLine(summary);
            }

            BenchResults.Write(results, "values", new { StoredBytes = stored, Blocks, DataTable = summaries });
            return 0;
        }
        finally
        {
            suite.Cleanup();
        }

        int StoredTableEnvelope() =>
            DataTableValue.StoredEnvelope(RedisProbe.Connection.GetDatabase(), suite.Prefix, "GetTable").Length;
    }

    /// <summary>What AkCache stores (its envelope: the header and the payload) against what the other contender stores.</summary>
    internal sealed record StoredBytes(string Value, int AkCacheEnvelope, int AkCachePayload, string Other, int OtherBytes)
    {
        public override string ToString() =>
            $"{Value}: AkCache stores {AkCacheEnvelope:N0} B ({AkCacheEnvelope - AkCachePayload} B header + {AkCachePayload:N0} B payload); {Other}: {OtherBytes:N0} B";
    }
}
