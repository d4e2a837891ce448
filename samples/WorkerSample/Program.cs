using Serilog;
using SocketDaemon.Extensions.Logging;
using WorkerSample;

var builder = Host.CreateApplicationBuilder(args);

// ILogger entries: options from the Logging:SocketDaemon section of appsettings.json.
builder.Logging.AddSocketDaemon();

// Serilog events: the same daemon, through the Serilog sink.
var endpoint = builder.Configuration["Logging:SocketDaemon:Endpoint"] ?? SocketDaemon.Client.SocketDaemonDefaults.ClientEndpoint;
await using var serilog = new LoggerConfiguration()
    .Enrich.FromLogContext()
    .WriteTo.SocketDaemon(endpoint)
    .CreateLogger();
builder.Services.AddSingleton<Serilog.ILogger>(serilog);

builder.Services.AddHostedService<Worker>();
await builder.Build().RunAsync();
