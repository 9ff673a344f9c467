using Controller.EngineKit;
using Microsoft.Extensions.Hosting;
using WordCount;

// Started by the agent with CONTROLLER_URL, ENGINE_ID, ENGINE_INSTANCE_ID and ENGINE_INSTANCE_TOKEN in its environment.
var builder = Host.CreateApplicationBuilder(args);
builder.AddEngine<WordCountHandler>();
await builder.Build().RunAsync();
