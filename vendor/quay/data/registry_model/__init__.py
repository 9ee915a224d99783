from data.registry_model.registry_oci_model import oci_model

registry_model = oci_model
