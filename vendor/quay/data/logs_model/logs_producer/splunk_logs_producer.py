import json
import logging
import ssl
from calendar import timegm
from datetime import datetime

from splunklib import client
from splunklib.binding import AuthenticationError  # type: ignore[import]

from data.logs_model.logs_producer import LogSendException
from data.logs_model.logs_producer.interface import LogProducerInterface
from data.model import config
from data.model.log import ACTIONS_ALLOWED_WITHOUT_AUDIT_LOGGING

logger = logging.getLogger(__name__)


def _splunk_json_serialize(obj):
    """
    Custom JSON serializer for Splunk log entries.
    Converts datetime objects to Unix epoch timestamps instead of
    using str() which produces ambiguous ISO strings without timezone info.
    """
    if isinstance(obj, datetime):
        return timegm(obj.utctimetuple())
    return str(obj)


class SplunkLogsProducer(LogProducerInterface):
    """
    Log producer for writing log entries to Splunk
    This implementation writes directly to Splunk without a streaming/queueing service.
    """

    def __init__(
        self,
        host,
        port,
        bearer_token,
        url_scheme="https",
        verify_ssl=True,
        index_prefix=None,
        ssl_ca_path=None,
        **kwargs,  # Ignore extra config params (search_timeout, max_results, etc.)
    ):
        connect_args = {
            "host": host,
            "port": port,
            "token": bearer_token,
            "scheme": url_scheme,
            "verify": verify_ssl,
            "autologin": True,
        }
        # Create an SSLContext object for cert validation
        context = ssl.create_default_context()
        context.check_hostname = True
        context.verify_mode = ssl.CERT_REQUIRED
        if not verify_ssl:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if ssl_ca_path:
            try:
                context.load_verify_locations(cafile=ssl_ca_path)
            except ssl.SSLError as e:
                raise Exception("SSL cert is not valid %s" % e)
            except FileNotFoundError as e:
                raise Exception("Path to cert file is not valid %s" % e)
        connect_args["context"] = context

        # establish connection with splunk
        service = client.connect(**connect_args)
        try:
            self.index = service.indexes[index_prefix]
            logger.info("using existing splunk index %s", self.index)
        except KeyError:
            self.index = service.indexes.create(index_prefix)
            logger.info("Created new splunk index %s", self.index)
        except ConnectionRefusedError as e:
            strict_logging_disabled = config.app_config.get("ALLOW_WITHOUT_STRICT_LOGGING")
            if strict_logging_disabled:
                logger.exception("Unable to configure Splunk instance: %s", e)
            else:
                raise Exception(
                    "Connection to Splunk refused, check if Splunk instance is available: %s" % e
                )
        except Exception as e:
            strict_logging_disabled = config.app_config.get("ALLOW_WITHOUT_STRICT_LOGGING")
            if strict_logging_disabled:
                logger.exception("Unable to configure Splunk instance: %s", e)
            else:
                raise

    def send(self, log):
        try:
            log_data = json.dumps(
                log, sort_keys=True, default=_splunk_json_serialize, ensure_ascii=False
            ).encode("utf-8")
            self.index.submit(log_data, sourcetype="access_combined", host="quay")
        except Exception as e:
            logger.exception("SplunkLogsProducer exception sending log to Splunk: %s", e)
            raise LogSendException("SplunkLogsProducer exception sending log to Splunk: %s" % e)
