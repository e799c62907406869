using System;
using System.Collections.Generic;
using Xunit;

namespace AkCache.Tests.Runtime.Configuration;

public sealed class AkCacheOptionsTests
{
    [Fact]
    public void Ctor_ensures_default_values()
    {
        var options = new AkCacheOptions();

        Assert.Equal("redis://127.0.0.1:6379", options.RedisUrl);
        Assert.Equal("akcache", options.Prefix);
        Assert.Equal(86400, options.DefaultMaxAgeSeconds);
        Assert.False(options.Disabled);
        Assert.Equal(TimeSpan.FromSeconds(2), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.OperationTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), options.BreakDuration);
        Assert.Equal(10_000, options.MemoryCacheMaxEntries);
        Assert.Equal(128L * 1024 * 1024, options.MemoryCacheMaxBytes);
        Assert.Equal(AkCacheOptions.DefaultMemoryCacheMaxBytes, options.MemoryCacheMaxBytes);
        Assert.True(options.LocalCache);
        Assert.Equal(32, options.MinimumThreadPoolWorkers);
        Assert.Null(options.LoggerFactory);
        Assert.Null(options.SigningKey);
        Assert.Equal("redis://127.0.0.1:6379", AkCacheOptions.DefaultRedisUrl);
        Assert.Equal(86400, AkCacheOptions.DefaultMaxAgeSecondsValue);
    }

    [Fact]
    public void The_defaults_are_valid()
    {
        new AkCacheOptions().Validate();
    }

    [Fact]
    public void Without_variables_the_defaults_apply()
    {
        var options = FromVariables();

        Assert.Equal(AkCacheOptions.DefaultRedisUrl, options.RedisUrl);
        Assert.Equal("akcache", options.Prefix);
        Assert.Equal(86400, options.DefaultMaxAgeSeconds);
        Assert.False(options.Disabled);
    }

    [Fact]
    public void AKCACHE_REDIS_URL_wins_over_REDIS_URL()
    {
        var options = FromVariables(("AKCACHE_REDIS_URL", "redis://mine:6379"), ("REDIS_URL", "redis://shared:6379"));

        Assert.Equal("redis://mine:6379", options.RedisUrl);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void REDIS_URL_is_used_when_AKCACHE_REDIS_URL_is_absent_or_blank(string? akcacheUrl)
    {
        var options = FromVariables(("AKCACHE_REDIS_URL", akcacheUrl), ("REDIS_URL", "redis://shared:6379"));

        Assert.Equal("redis://shared:6379", options.RedisUrl);
    }

    [Fact]
    public void AKCACHE_SIGNING_KEY_sets_the_signing_key_as_given()
    {
        Assert.Equal(" a key with spaces inside ", FromVariables(("AKCACHE_SIGNING_KEY", " a key with spaces inside ")).SigningKey);
    }

    [Fact]
    public void AKCACHE_PREFIX_sets_the_prefix_without_surrounding_spaces()
    {
        var options = FromVariables(("AKCACHE_PREFIX", "  billing  "));

        Assert.Equal("billing", options.Prefix);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("3600", 3600)]
    [InlineData(" 60 ", 60)]
    public void AKCACHE_MAX_AGE_SECONDS_sets_the_default_time_to_live(string value, int expected)
    {
        var options = FromVariables(("AKCACHE_MAX_AGE_SECONDS", value));

        Assert.Equal(expected, options.DefaultMaxAgeSeconds);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    public void An_invalid_AKCACHE_MAX_AGE_SECONDS_is_rejected_by_name(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => FromVariables(("AKCACHE_MAX_AGE_SECONDS", value)));

        Assert.Contains("AKCACHE_MAX_AGE_SECONDS", error.Message);
        Assert.Contains($"'{value}'", error.Message);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("yes", true)]
    [InlineData(" Yes ", true)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    [InlineData("no", false)]
    public void AKCACHE_DISABLED_accepts_the_documented_values(string value, bool expected)
    {
        var options = FromVariables(("AKCACHE_DISABLED", value));

        Assert.Equal(expected, options.Disabled);
    }

    [Theory]
    [InlineData("off", false)]
    [InlineData(" OFF ", false)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("no", false)]
    [InlineData("on", true)]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("yes", true)]
    public void AKCACHE_LOCAL_CACHE_accepts_the_documented_values(string value, bool expected)
    {
        Assert.Equal(expected, FromVariables(("AKCACHE_LOCAL_CACHE", value)).LocalCache);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("local")]
    public void An_invalid_AKCACHE_LOCAL_CACHE_keeps_the_local_layer_on_and_is_reported_by_name(string value)
    {
        var problems = new List<string>();
        var options = AkCacheOptions.FromVariables(name => name == "AKCACHE_LOCAL_CACHE" ? value : null, problems);

        Assert.True(options.LocalCache);
        var problem = Assert.Single(problems);
        Assert.Contains("AKCACHE_LOCAL_CACHE", problem);
        Assert.Contains($"'{value}'", problem);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("on", true)]
    [InlineData(" YES ", true)]
    [InlineData("1", true)]
    [InlineData("off", false)]
    [InlineData("0", false)]
    public void AKCACHE_COMPUTE_ON_SLOW_READS_turns_the_option_on_or_off(string? value, bool expected)
    {
        var problems = new List<string>();
        var options = AkCacheOptions.FromVariables(name => name == "AKCACHE_COMPUTE_ON_SLOW_READS" ? value : null, problems);

        Assert.Equal(expected, options.ComputeOnSlowReads);
        Assert.Empty(problems);
    }

    [Fact]
    public void An_invalid_AKCACHE_COMPUTE_ON_SLOW_READS_leaves_the_option_off_and_is_reported_by_name()
    {
        var problems = new List<string>();
        var options = AkCacheOptions.FromVariables(name => name == "AKCACHE_COMPUTE_ON_SLOW_READS" ? "sometimes" : null, problems);

        Assert.False(options.ComputeOnSlowReads);
        var problem = Assert.Single(problems);
        Assert.Contains("AKCACHE_COMPUTE_ON_SLOW_READS", problem);
        Assert.Contains("'sometimes'", problem);
    }

    [Theory]
    [InlineData("1", 1L << 20)]
    [InlineData(" 512 ", 512L << 20)]
    public void AKCACHE_MEMORY_CACHE_MAX_MB_sets_the_byte_bound_in_mebibytes(string value, long expected)
    {
        Assert.Equal(expected, FromVariables(("AKCACHE_MEMORY_CACHE_MAX_MB", value)).MemoryCacheMaxBytes);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("lots")]
    [InlineData("1048577")]
    public void An_invalid_AKCACHE_MEMORY_CACHE_MAX_MB_keeps_the_default_and_is_reported_by_name(string value)
    {
        var problems = new List<string>();
        var options = AkCacheOptions.FromVariables(name => name == "AKCACHE_MEMORY_CACHE_MAX_MB" ? value : null, problems);

        Assert.Equal(AkCacheOptions.DefaultMemoryCacheMaxBytes, options.MemoryCacheMaxBytes);
        Assert.Contains("AKCACHE_MEMORY_CACHE_MAX_MB", Assert.Single(problems));
    }

    [Theory]
    [InlineData("1", 1L << 20)]
    [InlineData(" 512 ", 512L << 20)]
    public void AKCACHE_MAX_VALUE_MB_sets_the_largest_stored_value_in_mebibytes(string value, long expected)
    {
        Assert.Equal(expected, FromVariables(("AKCACHE_MAX_VALUE_MB", value)).MaxValueBytes);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("513")]
    [InlineData("1.5")]
    [InlineData("big")]
    public void An_invalid_AKCACHE_MAX_VALUE_MB_keeps_the_default_and_is_reported_by_name(string value)
    {
        var problems = new List<string>();
        var options = AkCacheOptions.FromVariables(name => name == "AKCACHE_MAX_VALUE_MB" ? value : null, problems);

        Assert.Equal(AkCacheOptions.DefaultMaxValueBytes, options.MaxValueBytes);
        var problem = Assert.Single(problems);
        Assert.Contains("AKCACHE_MAX_VALUE_MB", problem);
        Assert.Contains("from 1 to 512", problem);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("16", 16 * 1024)]
    public void AKCACHE_COMPRESSION_THRESHOLD_KB_sets_the_threshold_in_kibibytes_and_0_turns_compression_off(string value, int expected)
    {
        Assert.Equal(expected, FromVariables(("AKCACHE_COMPRESSION_THRESHOLD_KB", value)).CompressionThresholdBytes);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("off")]
    [InlineData("2097152")]
    public void An_invalid_AKCACHE_COMPRESSION_THRESHOLD_KB_keeps_the_default_and_is_reported_by_name(string value)
    {
        var problems = new List<string>();
        var options = AkCacheOptions.FromVariables(name => name == "AKCACHE_COMPRESSION_THRESHOLD_KB" ? value : null, problems);

        Assert.Equal(AkCacheOptions.DefaultCompressionThresholdBytes, options.CompressionThresholdBytes);
        Assert.Contains("AKCACHE_COMPRESSION_THRESHOLD_KB", Assert.Single(problems));
    }

    [Theory]
    [InlineData("4", 4 * 1024)]
    [InlineData(" 1024 ", 1024 * 1024)]
    [InlineData("65536", 64 * 1024 * 1024)]
    public void AKCACHE_LARGE_VALUE_IN_FLIGHT_KB_sets_the_bytes_of_a_large_read_in_flight_in_kibibytes(string value, int expected)
    {
        Assert.Equal(expected, FromVariables(("AKCACHE_LARGE_VALUE_IN_FLIGHT_KB", value)).LargeValueBytesInFlight);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("65537")]
    [InlineData("1.5")]
    [InlineData("lots")]
    public void An_invalid_AKCACHE_LARGE_VALUE_IN_FLIGHT_KB_keeps_the_default_and_is_reported_by_name(string value)
    {
        var problems = new List<string>();
        var options = AkCacheOptions.FromVariables(name => name == "AKCACHE_LARGE_VALUE_IN_FLIGHT_KB" ? value : null, problems);

        Assert.Equal(AkCacheOptions.DefaultLargeValueBytesInFlight, options.LargeValueBytesInFlight);
        var problem = Assert.Single(problems);
        Assert.Contains("AKCACHE_LARGE_VALUE_IN_FLIGHT_KB", problem);
        Assert.Contains("from 4 to 65536", problem);
    }

    [Theory]
    [InlineData(4095)]
    [InlineData((64 * 1024 * 1024) + 1)]
    public void A_window_of_large_value_bytes_in_flight_outside_4_KiB_to_64_MiB_is_rejected_by_name(int bytes)
    {
        var error = Assert.Throws<ArgumentException>(() => new AkCacheOptions { LargeValueBytesInFlight = bytes }.Validate());
        Assert.Contains(nameof(AkCacheOptions.LargeValueBytesInFlight), error.Message);
        Assert.Contains("4 KiB to 64 MiB", error.Message);
    }

    [Theory]
    [InlineData(1023L)]
    [InlineData((512L * 1024 * 1024) + 1)]
    public void A_maximum_value_size_outside_what_Redis_can_store_is_rejected_by_name(long bytes)
    {
        var error = Assert.Throws<ArgumentException>(() => new AkCacheOptions { MaxValueBytes = bytes }.Validate());
        Assert.Contains(nameof(AkCacheOptions.MaxValueBytes), error.Message);
        Assert.Contains("512 MiB", error.Message);
    }

    [Fact]
    public void A_negative_compression_threshold_is_rejected_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => new AkCacheOptions { CompressionThresholdBytes = -1 }.Validate());
        Assert.Contains(nameof(AkCacheOptions.CompressionThresholdBytes), error.Message);
    }

    [Fact]
    public void A_byte_bound_below_a_kibibyte_is_rejected_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => new AkCacheOptions { MemoryCacheMaxBytes = 1023 }.Validate());

        Assert.Contains(nameof(AkCacheOptions.MemoryCacheMaxBytes), error.Message);
    }

    [Theory]
    [InlineData("on")]
    [InlineData("2")]
    [InlineData("disabled")]
    public void An_invalid_AKCACHE_DISABLED_is_rejected_by_name(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => FromVariables(("AKCACHE_DISABLED", value)));

        Assert.Contains("AKCACHE_DISABLED", error.Message);
        Assert.Contains($"'{value}'", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("my app")]
    [InlineData("my\tapp")]
    [InlineData("my\napp")]
    [InlineData("my\u00A0app")]
    [InlineData("my\u2003app")]
    public void Validate_rejects_an_empty_prefix_or_one_with_whitespace(string prefix)
    {
        var options = new AkCacheOptions { Prefix = prefix };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(nameof(AkCacheOptions.Prefix), error.Message);
    }

    [Theory]
    [InlineData("app:billing")]
    [InlineData("app:")]
    [InlineData(":app")]
    public void Validate_rejects_a_prefix_with_a_colon_because_clearing_another_prefix_would_reach_it(string prefix)
    {
        var options = new AkCacheOptions { Prefix = prefix };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains($"must not contain ':', not '{prefix}'", error.Message);
        Assert.Contains($"'{prefix.Replace(':', '-')}'", error.Message);
    }

    [Theory]
    [InlineData("app-billing")]
    [InlineData("app.billing")]
    [InlineData("app_billing/v2")]
    public void Validate_accepts_a_prefix_with_other_separators(string prefix) => new AkCacheOptions { Prefix = prefix }.Validate();

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Validate_rejects_a_non_positive_max_age(int seconds)
    {
        var options = new AkCacheOptions { DefaultMaxAgeSeconds = seconds };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(nameof(AkCacheOptions.DefaultMaxAgeSeconds), error.Message);
    }

    [Fact]
    public void Validate_rejects_a_non_positive_memory_bound()
    {
        var options = new AkCacheOptions { MemoryCacheMaxEntries = 0 };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(nameof(AkCacheOptions.MemoryCacheMaxEntries), error.Message);
    }

    [Theory]
    [InlineData(nameof(AkCacheOptions.ConnectTimeout))]
    [InlineData(nameof(AkCacheOptions.OperationTimeout))]
    [InlineData(nameof(AkCacheOptions.BreakDuration))]
    public void Validate_rejects_a_zero_or_negative_duration(string name)
    {
        foreach (var duration in new[] { TimeSpan.Zero, TimeSpan.FromMilliseconds(-1) })
        {
            var options = new AkCacheOptions();
            typeof(AkCacheOptions).GetProperty(name)!.SetValue(options, duration);

            var error = Assert.Throws<ArgumentException>(options.Validate);
            Assert.Contains(name, error.Message);
        }
    }

    [Fact]
    public void Validate_rejects_a_duration_too_long_for_StackExchange_Redis()
    {
        var options = new AkCacheOptions { OperationTimeout = TimeSpan.FromDays(30) };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(nameof(AkCacheOptions.OperationTimeout), error.Message);
    }

    [Fact]
    public void Validate_rejects_a_bad_url_without_showing_the_password()
    {
        var options = new AkCacheOptions { RedisUrl = "redis://u:S3cr3t!pw@host:6379/notanumber" };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("database", error.Message);
        Assert.DoesNotContain("S3cr3t!pw", error.Message);
    }

    [Fact]
    public void The_sentinel_credentials_come_from_AKCACHE_SENTINEL_USER_and_AKCACHE_SENTINEL_PASSWORD()
    {
        var options = FromVariables(("AKCACHE_SENTINEL_USER", " watcher "), ("AKCACHE_SENTINEL_PASSWORD", SentinelPassword));

        Assert.Equal("watcher", options.SentinelUser);
        Assert.Equal(SentinelPassword, options.SentinelPassword);
        Assert.Null(FromVariables().SentinelPassword);
    }

    [Fact]
    public void Validate_rejects_sentinel_credentials_without_a_sentinel_url()
    {
        var options = new AkCacheOptions { RedisUrl = "redis://127.0.0.1:6379", SentinelPassword = SentinelPassword };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("names no sentinel", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SentinelPassword, error.Message, StringComparison.Ordinal);
        new AkCacheOptions { RedisUrl = "redis+sentinel://127.0.0.1:26379/mymaster", SentinelPassword = SentinelPassword }.Validate();
    }

    private const string SentinelPassword = "only-the-Sentinels-9x";

    [Fact]
    public void Validate_rejects_an_empty_url()
    {
        var options = new AkCacheOptions { RedisUrl = "" };

        Assert.Throws<ArgumentException>(options.Validate);
    }

    private static AkCacheOptions FromVariables(params (string Name, string? Value)[] variables)
    {
        var table = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            table[name] = value;
        }

        return AkCacheOptions.FromVariables(name => table.TryGetValue(name, out var value) ? value : null);
    }
}
