using System;
using System.Data;
using AkCache.Benchmarks.Peers;
using AkCache.Benchmarks.Subjects;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using MessagePack;

namespace AkCache.Benchmarks.Suites;

/// <summary>
/// The serializers alone, no Redis: where items 2 and 10 spend their time besides the round trip.
/// The 1 KB <see cref="Quote"/> through plain MessagePack (contractless: the raw baselines and the
/// peers; a map keyed by property names, 1,024 bytes) and through AkCache's faithful resolver (every
/// field, an array; the payload after AkCache's envelope header), and the DataTable of item 10
/// through AkCache's formatter.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class Serializers
{
    private Quote _quote = null!;
    private byte[] _contractless = null!;
    private byte[] _faithful = null!;
    private DataTable _table = null!;
    private byte[] _tableBytes = null!;

    [GlobalSetup]
    public void Setup()
    {
        _quote = Quote.Create(7);
        _contractless = BenchSerializer.Serialize(_quote);
        _faithful = AkCacheFormat.Serialize(_quote);
        _table = MarketTable.Create(DataTableValue.Id);
        _tableBytes = AkCacheFormat.Serialize(_table);
        Console.WriteLine($"// Quote: contractless {_contractless.Length} B, AkCache's faithful payload {_faithful.Length} B; DataTable: {_tableBytes.Length} B");
    }

    [BenchmarkCategory("Quote, deserialize"), Benchmark(Baseline = true, Description = "plain MessagePack, contractless")]
    public Quote QuoteReadContractless() => MessagePackSerializer.Deserialize<Quote>(_contractless, BenchSerializer.Options);

    [BenchmarkCategory("Quote, deserialize"), Benchmark(Description = "AkCache's faithful resolver")]
    public Quote QuoteReadFaithful() => MessagePackSerializer.Deserialize<Quote>(_faithful, AkCacheFormat.Options);

    [BenchmarkCategory("Quote, serialize"), Benchmark(Baseline = true, Description = "plain MessagePack, contractless")]
    public byte[] QuoteWriteContractless() => MessagePackSerializer.Serialize(_quote, BenchSerializer.Options);

    [BenchmarkCategory("Quote, serialize"), Benchmark(Description = "AkCache's faithful resolver")]
    public byte[] QuoteWriteFaithful() => MessagePackSerializer.Serialize(_quote, AkCacheFormat.Options);

    [BenchmarkCategory("DataTable"), Benchmark(Description = "AkCache's DataTable formatter, deserialize")]
    public DataTable TableRead() => MessagePackSerializer.Deserialize<DataTable>(_tableBytes, AkCacheFormat.Options);

    [BenchmarkCategory("DataTable"), Benchmark(Description = "AkCache's DataTable formatter, serialize")]
    public byte[] TableWrite() => MessagePackSerializer.Serialize(_table, AkCacheFormat.Options);

    [BenchmarkCategory("DataTable"), Benchmark(Description = "building the table (the miss's computation)")]
    public DataTable TableBuild() => MarketTable.Create(DataTableValue.Id);
}
