using System;
using System.Data;
using System.IO;
using System.Linq;
using System.Threading;
using AkCache.Benchmarks.Infrastructure;
using AkCache.Benchmarks.Peers;
using AkCache.Benchmarks.Subjects;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;

namespace AkCache.Benchmarks.Suites;

/// <summary>
/// Item 10: a DataTable of 1,000 rows x 8 columns (<see cref="MarketTable"/>). The hit: AkCache's
/// Redis hit against a raw StringGet of exactly AkCache's payload (checked byte for byte in the
/// setup) read back with exactly AkCache's formatter (<see cref="AkCacheFormat"/>), so the ratio is
/// AkCache's own cost: the key, the envelope check, the memory-layer bookkeeping. Plain MessagePack
/// has no DataTable formatter; the third hit row is what a user without AkCache's would do instead:
/// DataTable.WriteXml with its schema, and ReadXml. The miss: a new id every call (GET nil, build the
/// table, serialize, store) against a raw GET + build + the same serializer + SET, no lock.
/// </summary>
[MemoryDiagnoser]
[ProcessCount(3)] // as item 2: three processes each, their iterations pooled
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class DataTableValue
{
    public const int Id = 11;

    private static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(5);

    private IDatabase _database = null!;
    private string _prefix = null!;
    private string _rawKey = null!;
    private string _xmlKey = null!;
    private long _next;

    /// <summary>The key prefix of this setup: every key it stored starts with it.</summary>
    public string Prefix => _prefix;

    [GlobalSetup]
    public void Setup()
    {
        _prefix = AkCacheSetup.NewPrefix("table");
        // A Redis hit is measured: with the local layer on (the default), every call after the
        // first few would be answered in process, and the probe below would stop the run.
        AkCacheRuntime.Configure(options =>
        {
            options.RedisUrl = BenchRedis.Url;
            options.Prefix = _prefix;
            options.LocalCache = false;
        });
        _database = RedisProbe.Connection.GetDatabase();
        _ = Memoized.GetTable(Id);
        RedisProbe.RequireRedisHits("AkCache", 10, () => Memoized.GetTable(Id));

        // The raw contender reads AkCache's own payload: the envelope stored above, minus its header.
        var envelope = StoredEnvelope(_database, _prefix, "GetTable");
        var payload = AkCacheFormat.Serialize(MarketTable.Create(Id));
        if (!envelope.AsSpan(AkCacheFormat.HeaderLength).SequenceEqual(payload))
        {
            throw new InvalidOperationException(
                $"AkCache's stored DataTable ({envelope.Length} bytes) is not a {AkCacheFormat.HeaderLength}-byte header and the {payload.Length}-byte payload of AkCacheFormat: the raw baseline would not read the same bytes.");
        }

        _rawKey = _prefix + ":raw";
        _database.StringSet(_rawKey, payload, TimeSpan.FromMinutes(30));
        _xmlKey = _prefix + ":xml";
        _database.StringSet(_xmlKey, Xml(MarketTable.Create(Id)), TimeSpan.FromMinutes(30));
        Check(HitRaw());
        Check(HitRawXml());
        Check(HitAkCache());

        for (var i = 0; i < 3; i++)
        {
            _ = MissAkCache();
            _ = MissRaw();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        AkCacheRuntime.Reset();
        // Each miss stored about 75 KB: give the memory back before the next benchmark process.
        var server = RedisProbe.Connection.GetServers()[0];
        foreach (var batch in server.Keys(pattern: _prefix + ":*", pageSize: 1000).Chunk(1000))
        {
            _database.KeyDelete(batch);
        }
    }

    [BenchmarkCategory("hit"), Benchmark(Description = "AkCache, Redis hit")]
    public DataTable HitAkCache() => Memoized.GetTable(Id);

    /// <summary>The floor: one StringGet of AkCache's payload and AkCache's own DataTable formatter.</summary>
    [BenchmarkCategory("hit"), Benchmark(Baseline = true, Description = "raw StringGet + AkCache's MessagePack DataTable formatter")]
    public DataTable HitRaw() => AkCacheFormat.Deserialize<DataTable>((ReadOnlyMemory<byte>)_database.StringGet(_rawKey));

    /// <summary>Without AkCache's formatter (plain MessagePack has none): the table's own XML, schema included.</summary>
    [BenchmarkCategory("hit"), Benchmark(Description = "raw StringGet + DataTable.ReadXml (schema included)")]
    public DataTable HitRawXml()
    {
        var table = new DataTable();
        using var stream = new MemoryStream((byte[])_database.StringGet(_xmlKey)!, writable: false);
        table.ReadXml(stream);
        return table;
    }

    [BenchmarkCategory("miss"), Benchmark(Description = "AkCache miss")]
    public DataTable MissAkCache() => Memoized.FreshTable(Next());

    /// <summary>The floor: GET (nil), build the table, serialize it with AkCache's formatter, SET with a time to live; no lock.</summary>
    [BenchmarkCategory("miss"), Benchmark(Baseline = true, Description = "raw GET + build + AkCache's MessagePack formatter + SET")]
    public DataTable MissRaw()
    {
        var id = Next();
        var key = _prefix + ":raw-miss:" + id;
        var stored = _database.StringGet(key);
        if (!stored.IsNull)
        {
            return AkCacheFormat.Deserialize<DataTable>((ReadOnlyMemory<byte>)stored);
        }

        var table = MarketTable.Create(id);
        _database.StringSet(key, AkCacheFormat.Serialize(table), TimeToLive);
        return table;
    }

    /// <summary>The one value AkCache stored under <paramref name="prefix"/> for the method named <paramref name="method"/>.</summary>
    internal static byte[] StoredEnvelope(IDatabase database, string prefix, string method)
    {
        var server = RedisProbe.Connection.GetServers()[0];
        var keys = server.Keys(pattern: prefix + ":*" + method + "*").Where(k => !((string)k!).EndsWith(":lock", StringComparison.Ordinal)).ToList();
        if (keys.Count != 1)
        {
            throw new InvalidOperationException($"Expected one value of {method} under {prefix}, found {keys.Count}: {string.Join(", ", keys)}.");
        }

        return (byte[])database.StringGet(keys[0])!;
    }

    internal static byte[] Xml(DataTable table)
    {
        using var stream = new MemoryStream();
        table.WriteXml(stream, XmlWriteMode.WriteSchema);
        return stream.ToArray();
    }

    private static void Check(DataTable table)
    {
        var expected = MarketTable.Create(Id);
        if (table.Rows.Count != expected.Rows.Count || table.Columns.Count != expected.Columns.Count
            || !table.Rows[^1].ItemArray.SequenceEqual(expected.Rows[^1].ItemArray)
            || table.Columns.Cast<DataColumn>().Select(c => c.DataType).SequenceEqual(expected.Columns.Cast<DataColumn>().Select(c => c.DataType)) == false)
        {
            throw new InvalidOperationException("A contender read back another table.");
        }
    }

    private long Next() => Interlocked.Increment(ref _next);
}
