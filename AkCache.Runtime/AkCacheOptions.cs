using System;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace AkCache;

/// <summary>
/// Run-time settings of AkCache. Start from <see cref="FromEnvironment"/> (what
/// <see cref="AkCacheRuntime.Configure"/> does) so that code overrides the environment, which
/// overrides the defaults documented on each member.
/// </summary>
public sealed class AkCacheOptions
{
    /// <summary>The default time to live of a memoized result, in seconds (one day, as in the Python original).</summary>
    public const int DefaultMaxAgeSecondsValue = 86400;

    /// <summary>The Redis server used when neither code nor environment names one.</summary>
    public const string DefaultRedisUrl = "redis://127.0.0.1:6379";

    /// <summary>
    /// Where Redis is: <c>redis://[user:password@]host:port[/db]</c>, <c>rediss://</c> for TLS, several
    /// comma-separated URLs for a cluster, or a StackExchange.Redis configuration string.
    /// </summary>
    /// <value>Default: AKCACHE_REDIS_URL, else REDIS_URL, else <see cref="DefaultRedisUrl"/>.</value>
    public string RedisUrl { get; set; } = DefaultRedisUrl;

    /// <summary>The first part of every key AkCache writes, so that one Redis can serve several applications.</summary>
    /// <value>
    /// Default: AKCACHE_PREFIX, else "akcache". Must not be empty, and must not contain whitespace,
    /// braces or ':' (AkCache adds the ':' itself: with "app" and "app:billing" on one Redis, clearing
    /// "app" would also reach every key of "app:billing").
    /// </value>
    public string Prefix { get; set; } = "akcache";

    /// <summary>Time to live, in seconds, of results of methods whose [Memoize] does not set MaxAgeSeconds.</summary>
    /// <value>Default: AKCACHE_MAX_AGE_SECONDS, else 86400. Must be positive.</value>
    public int DefaultMaxAgeSeconds { get; set; } = DefaultMaxAgeSecondsValue;

    /// <summary>When true, memoized methods call straight through: nothing is read or stored, and Redis is never contacted.</summary>
    /// <value>Default: true when AKCACHE_DISABLED is 1, true or yes; else false.</value>
    public bool Disabled { get; set; }

    /// <summary>
    /// How long the first memoized call waits for the connection to Redis. A connection that takes
    /// longer keeps being tried in the background; the calls meanwhile use the local layer, and
    /// sharing starts at the first call after it succeeds (within <see cref="BreakDuration"/>).
    /// </summary>
    /// <value>
    /// Default: AKCACHE_CONNECT_TIMEOUT_MS milliseconds, else 2 seconds. A <c>connectTimeout=</c>
    /// parameter of the Redis URL (<c>redis://host:6379?connectTimeout=5000</c>, or in a
    /// StackExchange.Redis configuration string) wins over this setting.
    /// </value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one Redis read or write may take before the call gives up on Redis and uses the local layer (L1).</summary>
    /// <value>
    /// Default: AKCACHE_OPERATION_TIMEOUT_MS milliseconds, else 500 milliseconds. An
    /// <c>operationTimeout=</c> parameter of the Redis URL (or <c>syncTimeout=</c> and
    /// <c>asyncTimeout=</c> in a StackExchange.Redis configuration string) wins over this setting.
    /// </value>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Whether a call stops waiting for a command on the shared connection that is slower than the
    /// method itself: once its read or its lock attempt has taken twice the method's usual computation
    /// time in this process (at least <see cref="MinimumSlowReadWait"/>, and only while that is shorter
    /// than <see cref="OperationTimeout"/>), the call computes its result without Redis (no lock, no
    /// store, kept in this process untrusted; a lock the attempt takes when Redis answers is released);
    /// a store that slow is left to finish, and the call returns. This process's calls that may give up
    /// a command then skip Redis until it is answered or times out (which opens the breaker as before).
    /// A frozen Redis then costs a caller about its method's own time instead of an
    /// <see cref="OperationTimeout"/> (docs/failures.md). Not in a cluster; the reads and stores of large
    /// values are never cut short.
    /// </summary>
    /// <value>Default: true when AKCACHE_COMPUTE_ON_SLOW_READS is on, 1, true or yes; else false: it trades the one computation per miss for every process against latency (docs/failures.md).</value>
    public bool ComputeOnSlowReads { get; set; }

    /// <summary>The shortest wait for a command before <see cref="ComputeOnSlowReads"/> gives it up: 50 ms, above the tails of a loaded but healthy Redis.</summary>
    public static TimeSpan MinimumSlowReadWait { get; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// A PEM file of the certificate authorities that may sign the Redis server's certificate, for a
    /// <c>rediss://</c> URL. When set, only a certificate that chains to one of them, and that names
    /// the URL's host (or <see cref="TlsServerName"/>), is accepted; the system's trust store is not
    /// consulted. Unset: the system's trust store decides.
    /// </summary>
    /// <value>Default: AKCACHE_TLS_CA_FILE, else null.</value>
    public string? TlsCaFile { get; set; }

    /// <summary>
    /// The client certificate for servers that require one (mutual TLS, <c>tls-auth-clients yes</c>):
    /// a PEM certificate with its key in <see cref="TlsClientKeyFile"/>, or a PKCS#12 file
    /// (.pfx, .p12) holding both, with <see cref="TlsClientCertificatePassword"/>.
    /// </summary>
    /// <value>Default: AKCACHE_TLS_CLIENT_CERT_FILE, else null.</value>
    public string? TlsClientCertificateFile { get; set; }

    /// <summary>The PEM private key (PKCS#8, or an EC or RSA key) of a PEM <see cref="TlsClientCertificateFile"/>; .NET 5 or later.</summary>
    /// <value>Default: AKCACHE_TLS_CLIENT_KEY_FILE, else null.</value>
    public string? TlsClientKeyFile { get; set; }

    /// <summary>The password of a PKCS#12 <see cref="TlsClientCertificateFile"/>. Never logged.</summary>
    /// <value>Default: AKCACHE_TLS_CLIENT_CERT_PASSWORD, else null.</value>
    public string? TlsClientCertificatePassword { get; set; }

    /// <summary>
    /// The name the server's certificate must carry, when it is not the URL's host (a URL by IP
    /// address to a server whose certificate names its DNS name). The check itself is never off.
    /// </summary>
    /// <value>Default: AKCACHE_TLS_SERVER_NAME, else null (the URL's host).</value>
    public string? TlsServerName { get; set; }

    /// <summary>
    /// The user the sentinels of a <c>redis+sentinel://</c> URL require, when it is not the URL's.
    /// The URL's credentials are the master's (and its replicas'), and the sentinels are given them
    /// too unless these settings name their own (<c>requirepass</c> or <c>user</c> in sentinel.conf);
    /// sentinels without a password accept either.
    /// </summary>
    /// <value>Default: AKCACHE_SENTINEL_USER, else null (the URL's user).</value>
    public string? SentinelUser { get; set; }

    /// <summary>The password the sentinels of a <c>redis+sentinel://</c> URL require, when it is not the URL's (their own <c>requirepass</c>). Never logged.</summary>
    /// <value>Default: AKCACHE_SENTINEL_PASSWORD, else null (the URL's password).</value>
    public string? SentinelPassword { get; set; }

    /// <summary>After a Redis failure, how long calls skip Redis entirely before one call tries it again.</summary>
    /// <value>Default: 2 seconds.</value>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The default of <see cref="MemoryCacheMaxBytes"/>: 128 MiB.</summary>
    public const long DefaultMemoryCacheMaxBytes = 128L * 1024 * 1024;

    /// <summary>How many results this process's local layer (in-process memory) holds at most, for all methods together.</summary>
    /// <value>Default: 10,000 entries. The least recently used go first; [Memoize(LocalMaxEntries = ...)] bounds one method.</value>
    public int MemoryCacheMaxEntries { get; set; } = 10_000;

    /// <summary>
    /// How many bytes of results this process's local layer holds at most, counted as the stored
    /// (serialized) size plus a fixed overhead per entry; a single result larger than an eighth of
    /// this is never kept in process (it is still shared through Redis).
    /// </summary>
    /// <value>Default: AKCACHE_MEMORY_CACHE_MAX_MB mebibytes, else <see cref="DefaultMemoryCacheMaxBytes"/> (128 MiB).</value>
    public long MemoryCacheMaxBytes { get; set; } = DefaultMemoryCacheMaxBytes;

    /// <summary>The default of <see cref="MaxValueBytes"/>: 128 MiB.</summary>
    public const long DefaultMaxValueBytes = 128L * 1024 * 1024;

    /// <summary>
    /// The largest result AkCache stores in Redis, as stored (serialized, then compressed). A larger
    /// one is returned but never stored nor kept in process, and one warning per method says so
    /// (docs/values.md). At most 512 MiB, Redis's own limit for a value.
    /// </summary>
    /// <value>Default: AKCACHE_MAX_VALUE_MB mebibytes, else <see cref="DefaultMaxValueBytes"/> (128 MiB).</value>
    public long MaxValueBytes { get; set; } = DefaultMaxValueBytes;

    /// <summary>The default of <see cref="CompressionThresholdBytes"/>: 64 KiB.</summary>
    public const int DefaultCompressionThresholdBytes = 64 * 1024;

    /// <summary>
    /// Results whose serialized form has at least this many bytes are stored LZ4-compressed, when that
    /// saves at least an eighth (a flag in the value's header says so: docs/values.md); 0 turns
    /// compression off.
    /// </summary>
    /// <value>Default: AKCACHE_COMPRESSION_THRESHOLD_KB kibibytes (0: off), else <see cref="DefaultCompressionThresholdBytes"/> (64 KiB).</value>
    public int CompressionThresholdBytes { get; set; } = DefaultCompressionThresholdBytes;

    /// <summary>The default of <see cref="LargeValueBytesInFlight"/>: 16 KiB.</summary>
    public const int DefaultLargeValueBytesInFlight = 16 * 1024;

    /// <summary>
    /// How many bytes of a large value (over 1 MiB stored) one read asks Redis for at a time: the value
    /// comes in GETRANGEs of this size (of 64 KiB when it is larger, as many at a time as fit). Small, it
    /// keeps the small calls of this and every other client from waiting behind the large one on a busy
    /// server (docs/values.md, measured in docs/benchmarks.md item 13); for a server across a network,
    /// raise it towards the link's bandwidth times its round trip (for example 1 MiB), or large reads are
    /// bounded by one round trip per chunk.
    /// </summary>
    /// <value>Default: AKCACHE_LARGE_VALUE_IN_FLIGHT_KB kibibytes, else <see cref="DefaultLargeValueBytesInFlight"/> (16 KiB).</value>
    public int LargeValueBytesInFlight { get; set; } = DefaultLargeValueBytesInFlight;

    /// <summary>
    /// Whether the local layer answers first: a call whose result this process holds, and that Redis
    /// has not invalidated, costs no round trip. False: every call reads Redis, and the local layer
    /// answers only while Redis is unreachable (as [Memoize(LocalCache = false)] does for one method).
    /// </summary>
    /// <value>Default: false when AKCACHE_LOCAL_CACHE is off, 0, false or no; else true.</value>
    public bool LocalCache { get; set; } = true;

    /// <summary>
    /// How long the lock that lets one process compute a missing result lives if its owner stops
    /// renewing it (the owner renews it every third of this while it computes; a killed owner's lock
    /// expires after this, and a waiting process takes over).
    /// </summary>
    /// <value>Default: 10 seconds.</value>
    public TimeSpan LockTimeToLive { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a call waits for another process that is computing the same result before it
    /// computes the result itself. A live owner keeps its lock, so this bounds only the rare wait
    /// on a computation that takes longer than this.
    /// </summary>
    /// <value>Default: 10 minutes.</value>
    public TimeSpan LockWaitTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The thread pool's minimum number of worker threads that AkCache ensures when it first
    /// connects. Memoized methods are synchronous: each call blocks its thread for one Redis round
    /// trip, and on Linux the reply itself needs a pool thread. When blocked callers fill the pool,
    /// replies wait for the pool to grow (about one thread per half second) and Redis calls time
    /// out. AkCache only raises the minimum, never lowers it. 0 leaves the pool alone.
    /// </summary>
    /// <value>Default: 32.</value>
    public int MinimumThreadPoolWorkers { get; set; } = 32;

    /// <summary>
    /// A secret shared by every process of the application. When set, every stored value carries an
    /// HMAC-SHA256 over its key binding and payload, and a value read from Redis that is unsigned, or
    /// signed without this key, is rejected (a miss, recomputed and overwritten, warned once): no one
    /// who can write to Redis but lacks the key can make a method return a value of theirs. The key is
    /// never logged. At least 16 characters; use a random string.
    /// </summary>
    /// <value>Default: AKCACHE_SIGNING_KEY, else null (values are not signed).</value>
    public string? SigningKey { get; set; }

    /// <summary>
    /// The serializer of every method whose [Memoize] names none: "messagepack" (AkCache's own, which
    /// returns every value equal in every respect or refuses it), "json" (System.Text.Json), or the
    /// <see cref="IValueSerializer.Name"/> of one in <see cref="Serializers"/>. Part of every key's
    /// version: changing it reads fresh entries.
    /// </summary>
    /// <value>Default: AKCACHE_SERIALIZER, else "messagepack".</value>
    public string Serializer { get; set; } = "messagepack";

    /// <summary>Serializers of the application's, chosen by name in <see cref="Serializer"/> or [Memoize(Serializer = ...)].</summary>
    /// <value>Default: empty.</value>
    public System.Collections.Generic.IList<IValueSerializer> Serializers { get; set; } = new System.Collections.Generic.List<IValueSerializer>();

    /// <summary>Where AkCache logs. It logs only warnings and errors, never on the hit path, and never a password.</summary>
    /// <value>Default: null, which writes warnings and errors to standard error.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Options with the defaults, overridden by the AKCACHE_* environment variables that are set.</summary>
    /// <exception cref="ArgumentException">An environment variable holds a value that cannot be used.</exception>
    public static AkCacheOptions FromEnvironment() => FromVariables(Environment.GetEnvironmentVariable);

    internal static AkCacheOptions FromVariables(Func<string, string?> variable)
    {
        var problems = new System.Collections.Generic.List<string>();
        var options = FromVariables(variable, problems);
        return problems.Count == 0 ? options : throw new ArgumentException(problems[0]);
    }

    /// <summary>Reads every variable it can; a bad one keeps its default and is described in <paramref name="problems"/>.</summary>
    internal static AkCacheOptions FromVariables(Func<string, string?> variable, System.Collections.Generic.List<string> problems)
    {
        var options = new AkCacheOptions();
        var url = NonEmpty(variable("AKCACHE_REDIS_URL")) ?? NonEmpty(variable("REDIS_URL"));
        if (url is not null)
        {
            options.RedisUrl = url;
        }

        var prefix = NonEmpty(variable("AKCACHE_PREFIX"));
        if (prefix is not null)
        {
            options.Prefix = prefix.Trim();
        }

        var maxAge = NonEmpty(variable("AKCACHE_MAX_AGE_SECONDS"));
        if (maxAge is not null)
        {
            if (int.TryParse(maxAge.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
            {
                options.DefaultMaxAgeSeconds = seconds;
            }
            else
            {
                problems.Add($"AKCACHE_MAX_AGE_SECONDS must be a positive whole number of seconds, not '{maxAge}'.");
            }
        }

        var serializer = NonEmpty(variable("AKCACHE_SERIALIZER"));
        if (serializer is not null)
        {
            options.Serializer = serializer.Trim();
        }

        var signingKey = NonEmpty(variable("AKCACHE_SIGNING_KEY"));
        if (signingKey is not null)
        {
            options.SigningKey = signingKey;
        }

        if (Switch(variable, "AKCACHE_LOCAL_CACHE", problems) is { } local)
        {
            options.LocalCache = local;
        }

        if (Switch(variable, "AKCACHE_COMPUTE_ON_SLOW_READS", problems) is { } slowReads)
        {
            options.ComputeOnSlowReads = slowReads;
        }

        var maxMegabytes = NonEmpty(variable("AKCACHE_MEMORY_CACHE_MAX_MB"));
        if (maxMegabytes is not null)
        {
            if (long.TryParse(maxMegabytes.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var megabytes) && megabytes > 0 && megabytes <= 1024 * 1024)
            {
                options.MemoryCacheMaxBytes = megabytes * 1024 * 1024;
            }
            else
            {
                problems.Add($"AKCACHE_MEMORY_CACHE_MAX_MB must be a whole number of mebibytes from 1 to 1048576, not '{maxMegabytes}'.");
            }
        }

        var maxValue = NonEmpty(variable("AKCACHE_MAX_VALUE_MB"));
        if (maxValue is not null)
        {
            if (long.TryParse(maxValue.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var megabytes) && megabytes > 0 && megabytes <= MaxValueLimit / (1024 * 1024))
            {
                options.MaxValueBytes = megabytes * 1024 * 1024;
            }
            else
            {
                problems.Add($"AKCACHE_MAX_VALUE_MB must be a whole number of mebibytes from 1 to 512, not '{maxValue}'.");
            }
        }

        var threshold = NonEmpty(variable("AKCACHE_COMPRESSION_THRESHOLD_KB"));
        if (threshold is not null)
        {
            if (int.TryParse(threshold.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var kibibytes) && kibibytes <= 1024 * 1024)
            {
                options.CompressionThresholdBytes = kibibytes * 1024;
            }
            else
            {
                problems.Add($"AKCACHE_COMPRESSION_THRESHOLD_KB must be a whole number of kibibytes from 0 (off) to 1048576, not '{threshold}'.");
            }
        }

        var inFlight = NonEmpty(variable("AKCACHE_LARGE_VALUE_IN_FLIGHT_KB"));
        if (inFlight is not null)
        {
            if (int.TryParse(inFlight.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var kibibytes) && kibibytes >= 4 && kibibytes <= MaxLargeValueBytesInFlight / 1024)
            {
                options.LargeValueBytesInFlight = kibibytes * 1024;
            }
            else
            {
                problems.Add($"AKCACHE_LARGE_VALUE_IN_FLIGHT_KB must be a whole number of kibibytes from 4 to 65536, not '{inFlight}'.");
            }
        }

        options.ConnectTimeout = Milliseconds(variable, "AKCACHE_CONNECT_TIMEOUT_MS", options.ConnectTimeout, problems);
        options.OperationTimeout = Milliseconds(variable, "AKCACHE_OPERATION_TIMEOUT_MS", options.OperationTimeout, problems);
        options.TlsCaFile = NonEmpty(variable("AKCACHE_TLS_CA_FILE"))?.Trim();
        options.TlsClientCertificateFile = NonEmpty(variable("AKCACHE_TLS_CLIENT_CERT_FILE"))?.Trim();
        options.TlsClientKeyFile = NonEmpty(variable("AKCACHE_TLS_CLIENT_KEY_FILE"))?.Trim();
        options.TlsClientCertificatePassword = NonEmpty(variable("AKCACHE_TLS_CLIENT_CERT_PASSWORD"));
        options.TlsServerName = NonEmpty(variable("AKCACHE_TLS_SERVER_NAME"))?.Trim();
        options.SentinelUser = NonEmpty(variable("AKCACHE_SENTINEL_USER"))?.Trim();
        options.SentinelPassword = NonEmpty(variable("AKCACHE_SENTINEL_PASSWORD"));

        var disabled = NonEmpty(variable("AKCACHE_DISABLED"));
        if (disabled is not null)
        {
            switch (disabled.Trim().ToLowerInvariant())
            {
                case "1" or "true" or "yes":
                    options.Disabled = true;
                    break;
                case "0" or "false" or "no":
                    options.Disabled = false;
                    break;
                default:
                    problems.Add($"AKCACHE_DISABLED must be 1, true, yes, 0, false or no, not '{disabled}'.");
                    break;
            }
        }

        return options;
    }

    /// <summary>Checks every setting, and the Redis URL's syntax.</summary>
    /// <exception cref="ArgumentException">A setting cannot be used; the message names it and never contains a password.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Prefix) || HasWhiteSpace(Prefix) || Prefix.IndexOfAny(new[] { '{', '}' }) >= 0)
        {
            throw new ArgumentException($"{nameof(Prefix)} must be a non-empty key prefix without whitespace or braces, not '{Prefix}'.");
        }

        if (Prefix.IndexOf(':') >= 0)
        {
            throw new ArgumentException(
                $"{nameof(Prefix)} must not contain ':', not '{Prefix}': AkCache writes 'PREFIX:...' keys, so a prefix with ':' lies inside another prefix's keys, and clearing one would delete the other's. Use '-' or '.' instead, e.g. '{Prefix.Replace(':', '-')}'.");
        }

        RequirePositive(DefaultMaxAgeSeconds, nameof(DefaultMaxAgeSeconds));
        RequirePositive(MemoryCacheMaxEntries, nameof(MemoryCacheMaxEntries));
        if (MemoryCacheMaxBytes < 1024)
        {
            throw new ArgumentException($"{nameof(MemoryCacheMaxBytes)} must be at least 1024 bytes, not {MemoryCacheMaxBytes}.");
        }

        if (MaxValueBytes < 1024 || MaxValueBytes > MaxValueLimit)
        {
            throw new ArgumentException($"{nameof(MaxValueBytes)} must be from 1024 bytes to 512 MiB ({MaxValueLimit} bytes, Redis's limit for a value), not {MaxValueBytes}.");
        }

        if (CompressionThresholdBytes < 0)
        {
            throw new ArgumentException($"{nameof(CompressionThresholdBytes)} must be 0 (no compression) or a positive number of bytes, not {CompressionThresholdBytes}.");
        }

        if (LargeValueBytesInFlight < 4 * 1024 || LargeValueBytesInFlight > MaxLargeValueBytesInFlight)
        {
            throw new ArgumentException($"{nameof(LargeValueBytesInFlight)} must be from 4 KiB to 64 MiB ({4 * 1024} to {MaxLargeValueBytesInFlight} bytes), not {LargeValueBytesInFlight}.");
        }

        RequirePositive(ConnectTimeout, nameof(ConnectTimeout));
        RequirePositive(OperationTimeout, nameof(OperationTimeout));
        RequirePositive(BreakDuration, nameof(BreakDuration));
        RequirePositive(LockTimeToLive, nameof(LockTimeToLive));
        RequirePositive(LockWaitTimeout, nameof(LockWaitTimeout));
        if (MinimumThreadPoolWorkers < 0)
        {
            throw new ArgumentException($"{nameof(MinimumThreadPoolWorkers)} must be 0 (leave the pool alone) or more, not {MinimumThreadPoolWorkers}.");
        }
        if (SigningKey is not null && SigningKey.Length < Internals.Serialization.ValueSigner.MinimumKeyLength)
        {
            // The message gives the length only: never any part of the key.
            throw new ArgumentException($"{nameof(SigningKey)} (AKCACHE_SIGNING_KEY) must be at least {Internals.Serialization.ValueSigner.MinimumKeyLength} characters long; the one given has {SigningKey.Length}.");
        }

        foreach (var custom in Serializers ?? throw new ArgumentException($"{nameof(Serializers)} must not be null."))
        {
            if (custom is null || !Internals.Serialization.MethodSerializer.IsValidName(custom.Name) || custom.Name is "messagepack" or "json")
            {
                throw new ArgumentException($"Every serializer in {nameof(Serializers)} needs a name of 1 to 32 lowercase letters, digits, '-' or '_' other than \"messagepack\" and \"json\", not '{custom?.Name}'.");
            }
        }

        if (Internals.Serialization.MethodSerializer.Find(Serializer ?? "", Serializers) is null)
        {
            throw new ArgumentException($"{nameof(Serializer)} (AKCACHE_SERIALIZER) is '{Serializer}', which names no serializer: use \"messagepack\", \"json\" or the name of one in {nameof(Serializers)}.");
        }

        var url = Internals.Configuration.RedisUrl.Parse(RedisUrl);
        var tls = Internals.Configuration.TlsSettings.Load(this);
        if (tls is not null && !url.Options.Ssl)
        {
            throw new ArgumentException($"TLS settings are given (TlsCaFile, TlsClientCertificateFile or TlsServerName; AKCACHE_TLS_*) but the Redis URL {url.SafeDescription} does not use TLS: write rediss:// for a TLS server, or remove the TLS settings.");
        }

        if ((SentinelUser is not null || SentinelPassword is not null) && url.Options.ServiceName is null)
        {
            throw new ArgumentException($"SentinelUser or SentinelPassword (AKCACHE_SENTINEL_USER, AKCACHE_SENTINEL_PASSWORD) is given but the Redis URL {url.SafeDescription} names no sentinel: write redis+sentinel://host:26379/service, or remove the sentinel credentials.");
        }
    }

    internal AkCacheOptions Clone() => (AkCacheOptions)MemberwiseClone();

    /// <summary>Redis's largest value (proto-max-bulk-len's default).</summary>
    private const long MaxValueLimit = 512L * 1024 * 1024;

    /// <summary>An on/off variable: null when unset; a value that is neither is a problem, and leaves the setting alone.</summary>
    private static bool? Switch(Func<string, string?> variable, string name, System.Collections.Generic.List<string> problems)
    {
        var value = NonEmpty(variable(name));
        switch (value?.Trim().ToLowerInvariant())
        {
            case null:
                return null;
            case "1" or "true" or "yes" or "on":
                return true;
            case "0" or "false" or "no" or "off":
                return false;
            default:
                problems.Add($"{name} must be on, off, 1, 0, true, false, yes or no, not '{value}'.");
                return null;
        }
    }

    private const int MaxLargeValueBytesInFlight = 64 * 1024 * 1024;

    /// <summary>A whole number of milliseconds from 1 to 24 days in <paramref name="name"/>; a bad one keeps <paramref name="current"/> and is described.</summary>
    private static TimeSpan Milliseconds(Func<string, string?> variable, string name, TimeSpan current, System.Collections.Generic.List<string> problems)
    {
        var text = NonEmpty(variable(name));
        if (text is null)
        {
            return current;
        }

        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds > 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        problems.Add($"{name} must be a positive whole number of milliseconds, not '{text}'.");
        return current;
    }

    private static bool HasWhiteSpace(string text)
    {
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static void RequirePositive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{name} must be positive, not {value}.");
        }
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentException($"{name} must be positive and below 24 days, not {value}.");
        }
    }
}
