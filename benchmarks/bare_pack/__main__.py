"""The floor: an Analyzer that answers every call with an empty response (the protocol's own cost)."""

import sys
import time
from concurrent import futures

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi.runtime.proto import analyzer_pb2_grpc, plugin_pb2


class Bare(analyzer_pb2_grpc.AnalyzerServicer):
    def Analyze(self, request, context):
        return pb.AnalyzeResponse()

    def AnalyzeStack(self, request, context):
        return pb.AnalyzeResponse()

    def GetAnalyzerInfo(self, request, context):
        return pb.AnalyzerInfo(name="bare", version="0.0.1")

    def GetPluginInfo(self, request, context):
        return plugin_pb2.PluginInfo(version="0.0.1")

    def Configure(self, request, context):
        return empty_pb2.Empty()

    def ConfigureStack(self, request, context):
        return pb.AnalyzerStackConfigureResponse()


server = grpc.server(futures.ThreadPoolExecutor(max_workers=4),
                     options=[("grpc.max_receive_message_length", 400 * 1024 * 1024)])
analyzer_pb2_grpc.add_AnalyzerServicer_to_server(Bare(), server)
port = server.add_insecure_port("127.0.0.1:0")
server.start()
sys.stdout.write(f"{port}\n")
sys.stdout.flush()
while True:
    time.sleep(86400)
