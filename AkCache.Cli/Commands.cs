using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using AkCache.Internals.Distributed;
using AkCache.Internals.Engine;
using AkCache.Internals.Messaging;
using AkCache.Internals.Serialization;
using StackExchange.Redis;

namespace AkCache.Cli;

/// <summary>The commands of <c>akcache</c>, each against one Redis (or cluster) through the runtime's own accessor.</summary>
internal sealed class Commands
{
    /// <summary>How many keys one SCAN step asks for, and how many sizes and times to live are asked for at once.</summary>
    private const int PageSize = RedisAccessor.ScanPageSize;

    private readonly RedisAccessor _redis;
    private readonly AkCacheOptions _options;
    private readonly Arguments _arguments;
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly bool _progress;

    public Commands(RedisAccessor redis, AkCacheOptions options, Arguments arguments, TextWriter output, TextWriter error, bool progress)
    {
        _redis = redis;
        _options = options;
        _arguments = arguments;
        _out = output;
        _error = error;
        _progress = progress;
    }

    private string Prefix => _options.Prefix;

    /// <summary><c>stats</c>: every method with entries under the prefix, its keys, bytes and the spread of their times to live.</summary>
    public int Stats()
    {
        var methods = new SortedDictionary<string, MethodStats>(StringComparer.Ordinal);
        long others = 0;
        foreach (var page in Scan(MemoEngine.GlobEscape(Prefix + ":") + "*"))
        {
            var measured = Measure(page, out var foreign);
            foreach (var (entry, bytes, ttl) in measured)
            {
                if (!methods.TryGetValue(entry.Method, out var stats))
                {
                    methods[entry.Method] = stats = new MethodStats(entry.Method);
                }

                stats.Add(entry, bytes, ttl);
            }

            others += foreign;
        }

        if (_arguments.Json)
        {
            using var output = new JsonOutput(_out);
            var json = output.Writer;
            json.WriteStartObject();
            json.WriteString("prefix", Prefix);
            json.WriteString("redis", _redis.Description);
            json.WriteStartArray("methods");
            foreach (var stats in methods.Values)
            {
                stats.Write(json);
            }

            json.WriteEndArray();
            json.WriteStartObject("total");
            json.WriteNumber("methods", methods.Count);
            json.WriteNumber("keys", methods.Values.Sum(m => m.Keys));
            json.WriteNumber("bytes", methods.Values.Sum(m => m.Bytes));
            json.WriteNumber("locks", methods.Values.Sum(m => m.Locks));
            json.WriteNumber("otherKeys", others);
            json.WriteEndObject();
            json.WriteEndObject();
            output.Complete();
            return ExitCode.Ok;
        }

        _out.WriteLine($"{Prefix} on {_redis.Description}: {methods.Count} method(s), {methods.Values.Sum(m => m.Keys)} entries, {Size(methods.Values.Sum(m => m.Bytes))}");
        if (methods.Count > 0)
        {
            _out.WriteLine();
            _out.WriteLine($"{"keys",8} {"bytes",10} {"ttl min",9} {"median",9} {"max",9} {"locks",5}  method (versions)");
            foreach (var stats in methods.Values)
            {
                _out.WriteLine($"{stats.Keys,8} {Size(stats.Bytes),10} {Ttl(stats.Ttl(0)),9} {Ttl(stats.Ttl(0.5)),9} {Ttl(stats.Ttl(1)),9} {stats.Locks,5}  {stats.Method} ({string.Join(", ", stats.Versions)})");
            }
        }

        if (others > 0)
        {
            _out.WriteLine($"{others} other key(s) under '{Prefix}:' are not in AkCache's layout.");
        }

        _out.WriteLine("Hit counts are kept per process, not in Redis: AkCacheRuntime.GetCacheInfo() and the AkCache meter (docs/observability.md).");
        return ExitCode.Ok;
    }

    /// <summary><c>ls METHOD</c>: the entries of the methods whose identity starts with <paramref name="method"/>, with size and time to live.</summary>
    public int List(string method)
    {
        var entries = new List<(EntryKey Entry, long Bytes, long Ttl)>();
        var limit = _arguments.Limit == 0 ? int.MaxValue : _arguments.Limit;
        var total = 0;
        foreach (var page in Scan(MethodPattern(method)))
        {
            foreach (var measured in Measure(page, out _))
            {
                if (measured.Entry.Kind != EntryKind.Value)
                {
                    continue;
                }

                total++;
                if (entries.Count < limit)
                {
                    entries.Add(measured);
                }
            }
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Entry.Key, b.Entry.Key));
        if (_arguments.Json)
        {
            using var output = new JsonOutput(_out);
            var json = output.Writer;
            json.WriteStartObject();
            json.WriteString("method", method);
            json.WriteNumber("total", total);
            json.WriteStartArray("entries");
            foreach (var (entry, bytes, ttl) in entries)
            {
                json.WriteStartObject();
                json.WriteString("key", entry.Key);
                json.WriteString("method", entry.Method);
                json.WriteString("version", entry.Version);
                json.WriteNumber("bytes", bytes);
                if (ttl >= 0)
                {
                    json.WriteNumber("ttlMilliseconds", ttl);
                }
                else
                {
                    json.WriteNull("ttlMilliseconds");
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            output.Complete();
        }
        else
        {
            foreach (var (entry, bytes, ttl) in entries)
            {
                _out.WriteLine($"{Size(bytes),10} {Ttl(ttl),9}  {entry.Key}");
            }

            _out.WriteLine(total > entries.Count ? $"{entries.Count} of {total} entries (--limit 0 lists all)" : $"{total} entries");
        }

        if (total == 0)
        {
            _error.WriteLine($"akcache: no entry of a method starting with '{method}' under '{Prefix}:'.");
            return ExitCode.NotFound;
        }

        return ExitCode.Ok;
    }

    /// <summary><c>get KEY</c>: one value, its envelope's header and its payload decoded as JSON.</summary>
    public int Get(string key)
    {
        var database = _redis.ConnectedDatabase();
        var type = database.KeyType(key);
        if (type == RedisType.None)
        {
            _error.WriteLine($"akcache: no key {key}.");
            return ExitCode.NotFound;
        }

        if (type != RedisType.String)
        {
            _error.WriteLine($"akcache: {key} holds a {type.ToString().ToLowerInvariant()}, not a value of AkCache.");
            return ExitCode.NotAkCache;
        }

        var stored = database.StringGet(key);
        var ttl = (long?)database.KeyTimeToLive(key)?.TotalMilliseconds;
        if (stored.IsNull)
        {
            _error.WriteLine($"akcache: no key {key} (it expired or was deleted just now).");
            return ExitCode.NotFound;
        }

        var bytes = (byte[])stored!;
        if (!EnvelopeView.TryRead(bytes, out var view, out var problem))
        {
            _error.WriteLine($"akcache: {key} does not hold a value in AkCache's format ({problem}).");
            return ExitCode.NotAkCache;
        }

        using var output = new JsonOutput(_out);
        var json = output.Writer;
        json.WriteStartObject();
        json.WriteString("key", key);
        json.WriteNumber("bytes", bytes.Length);
        if (ttl is { } left)
        {
            json.WriteNumber("ttlMilliseconds", left);
        }
        else
        {
            json.WriteNull("ttlMilliseconds");
        }

        json.WriteNumber("expiresAtUnixMs", view.ExpiresAtUnixMs);
        if (view.ExpiresAtUnixMs >= MinUnixMs && view.ExpiresAtUnixMs <= MaxUnixMs)
        {
            json.WriteString("expiresAt", DateTimeOffset.FromUnixTimeMilliseconds(view.ExpiresAtUnixMs).ToString("O", CultureInfo.InvariantCulture));
        }

        json.WriteString("serializer", view.SerializerName);
        json.WriteBoolean("compressed", view.Compressed);
        json.WriteBoolean("signed", view.Signed);
        json.WriteBoolean("checksummed", view.Checksummed);
        WriteValue(json, view);
        json.WriteEndObject();
        output.Complete();
        return ExitCode.Ok;
    }

    private static readonly long MinUnixMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxUnixMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>
    /// <c>clear --method M</c> or <c>clear --prefix P</c>: counts what it will delete, asks unless
    /// <c>--yes</c>, then deletes on every primary (SCAN, never KEYS) and tells every process, as
    /// <c>AkCacheRuntime.ClearMethod</c> and <c>ClearAll</c> do.
    /// </summary>
    public int Clear(Func<string, bool> confirm)
    {
        string pattern;
        InvalidationMessage announcement;
        string what;
        if (_arguments.Method is { } method)
        {
            var keyStart = MethodKeyStart(method);
            pattern = MethodPattern(method);
            announcement = InvalidationMessage.ForMethod(keyStart);
            what = $"the entries of the methods starting with '{method}' under '{Prefix}:'";
        }
        else if (_arguments.Prefix is not null)
        {
            pattern = MemoEngine.GlobEscape(Prefix + ":") + "*";
            announcement = InvalidationMessage.ForAll();
            what = $"every entry under '{Prefix}:'";
        }
        else
        {
            throw new ArgumentException("clear needs --method METHOD (one method's entries) or --prefix PREFIX (every entry under it).");
        }

        // Nothing stored is still announced, as ClearMethod and ClearAll do: processes may hold entries in their local layers.
        var count = Scan(pattern).Sum(page => page.Length);
        if (count > 0 && !_arguments.Yes && !confirm($"Delete {count} key(s), {what}, on {_redis.Description}, and tell every process?"))
        {
            _error.WriteLine("akcache: nothing deleted (pass --yes to clear without being asked).");
            return ExitCode.NotConfirmed;
        }

        var deleted = _redis.DeleteMatchingAndAnnounce(pattern, announcement);
        Report(deleted, what, announced: true);
        return ExitCode.Ok;
    }

    private void Report(long deleted, string what, bool announced)
    {
        if (_arguments.Json)
        {
            using var output = new JsonOutput(_out);
            var json = output.Writer;
            json.WriteStartObject();
            json.WriteNumber("deleted", deleted);
            json.WriteBoolean("announced", announced);
            json.WriteEndObject();
            output.Complete();
        }
        else
        {
            _out.WriteLine(deleted == 0 ? $"No key of {what} was stored; every process was told to drop its own." : $"Deleted {deleted} key(s): {what}; every process was told.");
        }
    }

    /// <summary>
    /// The start of the keys of the methods <paramref name="method"/> names: a whole identity (ending
    /// in ')') that method's keys; a type's full name ending in '.' its methods'; a method's full name
    /// its overloads' (and its generic forms'), not those of a longer name (History, not HistoryV2).
    /// The announcement of a clear uses it without the last rule: a local layer that drops a little
    /// more than was cleared only asks Redis again.
    /// </summary>
    private string MethodKeyStart(string method) =>
        $"{Prefix}:{Checked(method)}" + (method.EndsWith(")", StringComparison.Ordinal) ? ":" : string.Empty);

    /// <summary>The SCAN pattern of the keys of the methods <paramref name="method"/> names (<see cref="MethodKeyStart"/>).</summary>
    private string MethodPattern(string method) =>
        MemoEngine.GlobEscape(MethodKeyStart(method)) + (method.EndsWith(")", StringComparison.Ordinal) || method.EndsWith(".", StringComparison.Ordinal) ? "*" : "[(<]*");

    private static string Checked(string method) =>
        string.IsNullOrWhiteSpace(method) || method.IndexOfAny(new[] { ' ', '\t', '\n', '\r' }) >= 0
            ? throw new ArgumentException($"'{method}' is not a method: give its identity as stats lists it (Namespace.Type.Method(ParameterTypes)), its full name (Namespace.Type.Method), or its type's (Namespace.Type.).")
            : method;

    /// <summary>The keys matching <paramref name="pattern"/> on every primary, a SCAN page at a time; progress on standard error when asked.</summary>
    private IEnumerable<RedisKey[]> Scan(string pattern)
    {
        var database = _redis.ConnectedDatabase();
        var primaries = RedisAccessor.Primaries(database.Multiplexer);
        long scanned = 0;
        for (var node = 0; node < primaries.Count; node++)
        {
            var page = new List<RedisKey>(PageSize);
            foreach (var key in primaries[node].Keys(database.Database, pattern, PageSize))
            {
                page.Add(key);
                if (page.Count == PageSize)
                {
                    scanned += page.Count;
                    Progress(scanned, node, primaries.Count);
                    yield return page.ToArray();
                    page.Clear();
                }
            }

            scanned += page.Count;
            Progress(scanned, node, primaries.Count);
            if (page.Count > 0)
            {
                yield return page.ToArray();
            }
        }

        if (_progress)
        {
            _error.WriteLine();
        }
    }

    private void Progress(long scanned, int node, int nodes)
    {
        if (_progress)
        {
            _error.Write($"\rscanned {scanned} key(s), node {node + 1} of {nodes}");
            _error.Flush();
        }
    }

    /// <summary>The values among <paramref name="keys"/> with their size and time to live (ms, -1: none), asked for in one pipelined batch; keys not in AkCache's layout are counted in <paramref name="foreign"/>.</summary>
    private List<(EntryKey Entry, long Bytes, long Ttl)> Measure(RedisKey[] keys, out int foreign)
    {
        var database = _redis.ConnectedDatabase();
        var entries = new List<EntryKey>(keys.Length);
        foreign = 0;
        foreach (var key in keys)
        {
            if (EntryKey.TryParse(key!, Prefix, out var entry))
            {
                entries.Add(entry);
            }
            else
            {
                foreign++;
            }
        }

        var sizes = entries.Select(e => e.Kind == EntryKind.Value ? database.StringLengthAsync(e.Key) : Task.FromResult(0L)).ToArray();
        var ttls = entries.Select(e => database.ExecuteAsync("PTTL", (RedisKey)e.Key)).ToArray();
        try
        {
            Task.WaitAll(sizes.Cast<Task>().Concat(ttls).ToArray());
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            // The first failure, as a command run alone would throw it (a timeout, a refusal of STRLEN or PTTL by an ACL).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
        var measured = new List<(EntryKey, long, long)>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            measured.Add((entries[i], sizes[i].Result, (long)ttls[i].Result));
        }

        return measured;
    }


    /// <summary>
    /// The payload as JSON under "value": MessagePack converted, the json serializer's text as it is,
    /// a custom serializer's bytes (or a payload that does not convert) as base64 under "valueBase64",
    /// with the reason under "valueError".
    /// </summary>
    private static void WriteValue(Utf8JsonWriter json, EnvelopeView view)
    {
        string? text = null;
        string? error = null;
        try
        {
            text = view.SerializerName switch
            {
                "messagepack" => MessagePack.MessagePackSerializer.ConvertToJson(view.Payload, ValueSerializer.Options),
                "json" => Encoding.UTF8.GetString(view.Payload.Span),
                _ => null,
            };
            if (text is not null)
            {
                using var document = JsonDocument.Parse(text);
                json.WritePropertyName("value");
                document.RootElement.WriteTo(json);
                return;
            }
        }
        catch (Exception ex) when (ex is JsonException or MessagePack.MessagePackSerializationException or FormatException or InvalidOperationException or OverflowException)
        {
            // NaN or infinities (not JSON numbers), a malformed payload: its bytes are shown instead.
            error = $"{ex.GetType().Name}: {ex.Message}";
        }

        json.WriteNull("value");
        json.WriteString("valueBase64", Convert.ToBase64String(view.Payload.Span));
        json.WriteString("valueError", error ?? $"written by the '{view.SerializerName}' serializer, which only the application can read");
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.0} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB",
    };

    private static string Ttl(long milliseconds) => milliseconds switch
    {
        < 0 => "none",
        < 60_000 => $"{milliseconds / 1000.0:0.0}s",
        < 3_600_000 => $"{milliseconds / 60_000.0:0.0}m",
        < 86_400_000 => $"{milliseconds / 3_600_000.0:0.0}h",
        _ => $"{milliseconds / 86_400_000.0:0.0}d",
    };

    /// <summary>One method's figures in <c>stats</c>.</summary>
    private sealed class MethodStats
    {
        private readonly List<long> _ttls = new();
        private readonly SortedSet<string> _versions = new(StringComparer.Ordinal);

        public MethodStats(string method) => Method = method;

        public string Method { get; }

        public long Keys { get; private set; }

        public long Bytes { get; private set; }

        public long Locks { get; private set; }

        public long WithoutTtl { get; private set; }

        public IEnumerable<string> Versions => _versions;

        public void Add(EntryKey entry, long bytes, long ttl)
        {
            if (entry.Kind == EntryKind.Lock)
            {
                Locks++;
                return;
            }

            if (entry.Kind != EntryKind.Value)
            {
                return;
            }

            Keys++;
            Bytes += bytes;
            _versions.Add(entry.Version);
            if (ttl >= 0)
            {
                _ttls.Add(ttl);
            }
            else
            {
                WithoutTtl++;
            }
        }

        /// <summary>The time to live at quantile <paramref name="q"/> (0: least, 1: most), ms; -1 without any.</summary>
        public long Ttl(double q)
        {
            if (_ttls.Count == 0)
            {
                return -1;
            }

            _ttls.Sort();
            return _ttls[(int)Math.Round(q * (_ttls.Count - 1))];
        }

        public void Write(Utf8JsonWriter json)
        {
            json.WriteStartObject();
            json.WriteString("method", Method);
            json.WriteStartArray("versions");
            foreach (var version in _versions)
            {
                json.WriteStringValue(version);
            }

            json.WriteEndArray();
            json.WriteNumber("keys", Keys);
            json.WriteNumber("bytes", Bytes);
            json.WriteNumber("locks", Locks);
            json.WriteStartObject("ttlMilliseconds");
            foreach (var (name, q) in new[] { ("min", 0.0), ("median", 0.5), ("max", 1.0) })
            {
                if (Ttl(q) is var ttl and >= 0)
                {
                    json.WriteNumber(name, ttl);
                }
                else
                {
                    json.WriteNull(name);
                }
            }

            json.WriteEndObject();
            json.WriteNumber("withoutTtl", WithoutTtl);
            json.WriteEndObject();
        }
    }

    /// <summary>
    /// One JSON document for standard output, built in memory and written whole once
    /// <see cref="Complete"/> was called: a failure half way writes nothing to standard output.
    /// </summary>
    private sealed class JsonOutput : IDisposable
    {
        private readonly TextWriter _out;
        private readonly MemoryStream _buffer = new();
        private bool _complete;

        public JsonOutput(TextWriter output)
        {
            _out = output;
            Writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        }

        public Utf8JsonWriter Writer { get; }

        public void Complete() => _complete = true;

        public void Dispose()
        {
            Writer.Dispose();
            if (_complete)
            {
                _out.WriteLine(Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, (int)_buffer.Length));
                _out.Flush();
            }
        }
    }
}
